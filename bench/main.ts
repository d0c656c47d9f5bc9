// `npm start`: times simdconv against the plain-JS reference on the named layers, both layouts,
// side by side in one process, and prints a table. `--json FILE` also writes the figures;
// `--readme` replaces the table in README.md between its bench markers with this run's output.
// Medians (p50) of tinybench samples after warm-up; GFLOP/s = 2 × multiply-adds / time.

import { readFileSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { createConv2d, init, type Layout, type Tensor } from '../src/index.js';
import { conv2d as referenceConv2d } from '../src/reference/index.js';
import { conv2dMultiplyAdds, resolveConv2dFilter, resolveConv2dGeometry } from '../src/shape.js';
import { DEFAULT_LAYERS, type LayerSpec } from './layers.js';

interface Row {
  layer: string;
  layout: Layout;
  multiplyAdds: number;
  simdconvMs: number;
  referenceMs: number;
}

function randomTensor(shape: number[], seed: number): Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return { data, shape };
}

function tensorsFor(l: LayerSpec, layout: Layout) {
  const cg = l.inChannels / l.groups;
  const input = randomTensor(layout === 'NCHW' ? [l.batch, l.inChannels, l.height, l.width] : [l.batch, l.height, l.width, l.inChannels], 1);
  const weight = randomTensor(layout === 'NCHW' ? [l.outChannels, cg, l.kernel, l.kernel] : [l.kernel, l.kernel, cg, l.outChannels], 2);
  const options = { layout, stride: l.stride, padding: l.padding, groups: l.groups, bias: randomTensor([l.outChannels], 3).data };
  return { input, weight, options };
}

async function benchLayer(l: LayerSpec, layout: Layout): Promise<Row> {
  const { input, weight, options } = tensorsFor(l, layout);
  const multiplyAdds = conv2dMultiplyAdds(resolveConv2dGeometry(resolveConv2dFilter(weight, options), input));
  const conv = createConv2d(weight, options);
  const bench = new Bench({ time: 400, iterations: 3, warmupTime: 100, warmupIterations: 2 });
  bench.add('simdconv', () => { conv.run(input); });
  bench.add('reference', () => { referenceConv2d(input, weight, options); });
  await bench.run();
  conv.dispose();
  const median = (name: string): number => {
    const result = bench.getTask(name)!.result;
    if (!('latency' in result)) throw new Error(`benchmark task ${name} did not complete (${result.state})`);
    return result.latency.p50;
  };
  return { layer: l.name, layout, multiplyAdds, simdconvMs: median('simdconv'), referenceMs: median('reference') };
}

function formatTable(rows: Row[]): string {
  const gflops = (r: Row, ms: number) => ((2 * r.multiplyAdds) / (ms * 1e6)).toFixed(2);
  const header = ['layer', 'layout', 'MMAC', 'simdconv ms', 'GFLOP/s', 'plain JS ms', 'GFLOP/s', 'speed-up'];
  const body = rows.map((r) => [
    r.layer, r.layout, (r.multiplyAdds / 1e6).toFixed(1),
    r.simdconvMs.toFixed(3), gflops(r, r.simdconvMs), r.referenceMs.toFixed(2), gflops(r, r.referenceMs),
    `${(r.referenceMs / r.simdconvMs).toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  await init();
  const title = `simdconv vs plain JS (reference), one thread, Node ${process.versions.node}; medians after warm-up`;
  console.log(`${title}\n`);
  const rows: Row[] = [];
  for (const l of DEFAULT_LAYERS) {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      rows.push(await benchLayer(l, layout));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const table = formatTable(rows);
  console.log(table);
  if (args.includes('--readme')) {
    const readme = new URL('../../../README.md', import.meta.url);
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    if (!text.includes(start) || !text.includes(end)) throw new Error('README.md has no bench markers');
    const before = text.slice(0, text.indexOf(start) + start.length);
    const after = text.slice(text.indexOf(end));
    writeFileSync(readme, `${before}\n${title}, ${new Date().toISOString().slice(0, 10)}:\n\n${table}\n${after}`);
    console.log('\nupdated the table in README.md');
  }
  if (jsonFile) {
    writeFileSync(jsonFile, `${JSON.stringify({ node: process.versions.node, date: new Date().toISOString(), rows }, null, 2)}\n`);
    console.log(`\nwrote ${jsonFile}`);
  }
}

await main();
