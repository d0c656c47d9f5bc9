// Applies each hand-written mutant of mutants/planted.json alone, rebuilds what it touches, runs
// the tests it names and requires it to be killed by the test meant to kill it (a failing test
// whose name matches `killedBy`). The sources are restored after each mutant, and once more on
// exit, then rebuilt clean.
//
//   node scripts/mutate-planted.mjs              every mutant, the tests each names (CI)
//   node scripts/mutate-planted.mjs --all-tests  every mutant against the whole Node project
//   node scripts/mutate-planted.mjs M4 M5        only these
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const allTests = args.includes('--all-tests');
const only = args.filter((a) => !a.startsWith('--'));
const { mutants } = JSON.parse(readFileSync(join(root, 'mutants/planted.json'), 'utf8'));
const chosen = only.length ? mutants.filter((m) => only.includes(m.id)) : mutants;
if (chosen.length === 0) throw new Error(`no mutant named ${only.join(', ')}`);

// Quiet unless a build fails (execFileSync then throws with its output).
const run = (command, commandArgs) => execFileSync(command, commandArgs, { cwd: root, stdio: 'pipe' });
/** What a change to `file` needs rebuilt before dist/ (which the tests import) holds it. */
function rebuild(file) {
  if (file.startsWith('assembly/')) {
    run('npx', ['asc', '--config', 'asconfig.json', '--target', 'release']);
    run('npx', ['asc', '--config', 'asconfig.json', '--target', 'threads']);
    run('node', ['scripts/embed-wasm.mjs']);
  }
  run('npx', ['tsc', '-p', 'tsconfig.json']);
}

const scratch = mkdtempSync(join(tmpdir(), 'simdconv-mutants-'));
/** Runs vitest's Node project on `files` (all of it when empty); the failed tests' full names. */
function failingTests(files) {
  const output = join(scratch, 'results.json');
  rmSync(output, { force: true });
  spawnSync('npx', ['vitest', 'run', '--project', 'node', ...files, '--reporter=json', `--outputFile=${output}`], { cwd: root, stdio: 'ignore' });
  const results = JSON.parse(readFileSync(output, 'utf8'));
  const failed = results.testResults.flatMap((file) => file.assertionResults.filter((t) => t.status === 'failed').map((t) => t.fullName));
  // A file that fails to load has no assertion results: count it as a failure with its message.
  for (const file of results.testResults) if (file.status === 'failed' && file.assertionResults.length === 0) failed.push(`${file.name}: ${file.message}`);
  return failed;
}

const originals = new Map();
const restoreAll = () => {
  for (const [file, text] of originals) writeFileSync(join(root, file), text);
};
process.on('SIGINT', () => { restoreAll(); process.exit(130); });

const rows = [];
try {
  const testsOf = (m) => (allTests ? [] : m.tests);
  const baseline = failingTests([...new Set(chosen.flatMap(testsOf))]);
  if (baseline.length) throw new Error(`the unmutated tests fail already:\n  ${baseline.join('\n  ')}`);
  for (const m of chosen) {
    const path = join(root, m.file);
    const text = readFileSync(path, 'utf8');
    const occurrences = text.split(m.find).length - 1;
    if (occurrences !== 1) throw new Error(`${m.id}: '${m.find}' occurs ${occurrences} times in ${m.file}, not once`);
    originals.set(m.file, text);
    const started = Date.now();
    writeFileSync(path, text.replace(m.find, m.replace));
    let failed;
    try {
      rebuild(m.file);
      failed = failingTests(testsOf(m));
    } finally {
      writeFileSync(path, text);
    }
    const killer = failed.find((name) => new RegExp(m.killedBy).test(name));
    const verdict = killer ? 'killed' : failed.length ? 'killed by another test' : 'SURVIVED';
    rows.push({ id: m.id, verdict, seconds: Math.round((Date.now() - started) / 1000), by: killer ?? failed[0] ?? '' });
    console.log(`${m.id.padEnd(4)} ${verdict.padEnd(22)} ${String(rows.at(-1).seconds).padStart(4)} s  ${m.what}${killer || failed[0] ? `\n       by: ${(killer ?? failed[0]).slice(0, 160)}` : ''}`);
  }
} finally {
  restoreAll();
  rmSync(scratch, { recursive: true, force: true });
  console.log('restoring the build…');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}
const killed = rows.filter((r) => r.verdict === 'killed').length;
console.log(`planted mutants: ${killed} of ${rows.length} killed by their oracle test`);
process.exit(killed === rows.length ? 0 : 1);
