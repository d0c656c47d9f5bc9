// Reads the StrykerJS reports (reports/mutation/*.json, written by npm run mutate) and prints,
// as Markdown, the score of every mutated file and every surviving mutant with the reason it is
// equivalent, from mutants/equivalent.json. Exits 1 when a survivor has no reason there: it
// must then be killed by a new test or explained.
//
// A reason is matched by file, mutator, replacement and the mutated line's text (not its line
// number), so it survives edits elsewhere in the file. With --survivors FILE the survivors'
// table goes to FILE (mutants/survivors.md) and only the scores are printed.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reportsDir = join(root, 'reports/mutation');
const reports = existsSync(reportsDir) ? readdirSync(reportsDir).filter((f) => f.endsWith('.json')).sort() : [];
if (reports.length === 0) throw new Error('no reports in reports/mutation/: run npm run mutate first');
const { equivalent } = JSON.parse(readFileSync(join(root, 'mutants/equivalent.json'), 'utf8'));
const keyOf = (file, mutator, replacement, line) => [file, mutator, replacement, line.trim()].join(' | ');
const reasons = new Map(equivalent.map((e) => [keyOf(e.file, e.mutator, e.replacement, e.line), e.reason]));

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const rows = [];
const survivors = [];
let detected = 0;
let counted = 0;
for (const name of reports) {
  const report = JSON.parse(readFileSync(join(reportsDir, name), 'utf8'));
  for (const [file, entry] of Object.entries(report.files)) {
    const lines = entry.source.split('\n');
    const valid = entry.mutants.filter((m) => COUNTED.has(m.status));
    const hit = valid.filter((m) => DETECTED.has(m.status)).length;
    detected += hit;
    counted += valid.length;
    rows.push(`| \`${file}\` | ${valid.length} | ${hit} | ${valid.length - hit} | ${((100 * hit) / valid.length).toFixed(1)}% |`);
    for (const m of valid.filter((v) => !DETECTED.has(v.status))) {
      const line = lines[m.location.start.line - 1];
      survivors.push({ file, at: `${m.location.start.line}:${m.location.start.column}`, m, line, reason: reasons.get(keyOf(file, m.mutatorName, m.replacement ?? '', line)) });
    }
  }
}
const code = (text) => `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').slice(0, 90)}\``;
console.log('| file | mutants | killed | survived | score |\n|---|--:|--:|--:|--:|');
console.log(rows.join('\n'));
console.log(`| **all** | ${counted} | ${detected} | ${counted - detected} | **${((100 * detected) / counted).toFixed(1)}%** |\n`);
const survivorTable = ['| survivor | mutation | why it is equivalent |', '|---|---|---|', ...survivors.map((s) =>
  `| \`${s.file}:${s.at}\` ${s.m.status === 'NoCoverage' ? '(no test reaches it) ' : ''}| ${s.m.mutatorName}: ${code(s.line.trim())} → ${code(s.m.replacement ?? '')} | ${s.reason ?? '**no reason given**'} |`)];
const survivorsFile = process.argv.includes('--survivors') ? process.argv[process.argv.indexOf('--survivors') + 1] : null;
if (survivorsFile) {
  writeFileSync(resolve(root, survivorsFile), `# Surviving mutants of the last npm run mutate\n\nWritten by scripts/mutation-report.mjs from the StrykerJS reports; the reasons come from mutants/equivalent.json.\n\n${survivorTable.join('\n')}\n`);
  console.log(`${survivors.length} survivors, each with its reason: ${survivorsFile}`);
} else {
  console.log(survivorTable.join('\n'));
}
const unexplained = survivors.filter((s) => !s.reason);
if (unexplained.length) {
  console.error(`${unexplained.length} surviving mutants have no reason in mutants/equivalent.json`);
  process.exit(1);
}
