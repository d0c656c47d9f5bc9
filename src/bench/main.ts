/// <reference types="node" />
// The benchmark. Side by side in one process, on named layers (layers.ts): simdconv in
// both layouts (prepared convs), the plain-JS reference, and with --peers tfjs-backend-wasm
// (XNNPACK) and onnxruntime-web, all on one thread, interleaved in rounds. Medians (p50) of
// tinybench samples after warm-up; GFLOP/s = 2 × the direct algorithm's multiply-adds / time.
//
//   npm start                      the default layers, simdconv against plain JS
//   npm run bench [-- --peers]     the full suite; writes bench/results.json and bench/results.svg
//   npm run bench -- --threads 2   also each layer on the worker pool against one thread
//   npm run bench -- --networks    MobileNetV2 and ResNet-18 against the peers instead (networks/main.ts;
//                                  also --profile, --rounds N, --network NAME, --threads N; --json merges a networks section)
//   flags: --layers default|suite  --peers  --threads N  --json FILE|-  --svg FILE  --readme  --filter TEXT  --no-images  --resident
//   --isa auto|simd128|relaxed-simd   simdconv's kernel build (init's isa; default auto), in every mode

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createConv2d, info, init, tensor, type Conv2dOptions, type InitOptions, type Layout, type TensorData } from '../index.js';
import { conv2d as referenceConv2d } from '../reference/index.js';
import { getRuntime } from '../runtime.js';
import { tensorPointer } from '../memory/tensor.js';
import { conv2dMultiplyAdds, conv2dOutputShape, resolveConv2dFilter, resolveConv2dGeometry } from '../shape.js';
import { DEFAULT_LAYERS, randomData, SUITE_LAYERS, type LayerSpec } from './layers.js';
import { renderChart } from './chart.js';
import { interleavedRounds, median, medians, onCallingThread, pairedRatio, pairedSpeedUp, runContext, type TimedTask } from './timing.js';
import { benchOps, formatOps } from './ops.js';
import { benchImages1080p, imageJob } from './images.js';
import { CoreProbe } from './cores.js';
import { createOrtRunner, createTfjsWasmRunner, setOrtThreads, type PeerResult } from './peers.js';
import { benchNetworks, networksChild, networksTableFromJson, parseNetworksArgs } from './networks/main.js';

export const ENGINES = ['simdconv NCHW', 'simdconv NHWC', 'simdconv NCHW tensor', 'simdconv NHWC tensor', 'plain JS', 'tfjs-wasm', 'ort-web'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * Not an engine: the data movement every `{ data, shape }` call must do whatever its kernel,
 * timed in the same rounds: the input copied into WebAssembly memory (tensor()), one pass in
 * memory that reads and writes as many floats as the smaller of input and output (the least any
 * kernel touches, at memcpy speed and with no arithmetic), and a fresh output array read back
 * (dataSync()). Its time bounds what any `{ data, shape }` call can reach.
 */
export const COPY_FLOOR = 'copy floor';
type Timed = Engine | typeof COPY_FLOOR;

export interface LayerResult {
  layer: string;
  multiplyAdds: number;
  /** Median milliseconds per call, by engine (and the copy floor); absent when not run or unsupported. */
  ms: Partial<Record<Timed, number>>;
  /** Each interleaved task's median per round, in round order: ratios between them are paired by round. */
  rounds: Partial<Record<Timed, number[]>>;
  unsupported: Partial<Record<Engine, string>>;
}

interface Args {
  layers: LayerSpec[];
  /** The rest of the family (convTranspose2d, conv3d, separableConv2d): with the suite. */
  ops: boolean;
  /** The image filters on the embedded sample, written to ./out/: with the default layers (npm start). */
  images: boolean;
  peers: boolean;
  /** Also time each layout on a resident Tensor input, the output read back with dataSync() (what tfjs does). */
  resident: boolean;
  json?: string;
  svg?: string;
  readme: boolean;
  /** > 1: also time every layer's runAsync on a pool of this many threads. */
  threads: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const set = value('--layers') ?? 'default';
  if (set !== 'default' && set !== 'suite') throw new RangeError(`--layers must be 'default' or 'suite', got ${set}`);
  const filter = value('--filter');
  const layers = (set === 'suite' ? SUITE_LAYERS : DEFAULT_LAYERS).filter((l) => !filter || l.name.includes(filter));
  const threads = Number(value('--threads') ?? 1);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`--threads must be a positive integer, got ${value('--threads')}`);
  return {
    layers, ops: set === 'suite' && !filter, images: set === 'default' && !filter && !argv.includes('--no-images'), peers: argv.includes('--peers'), resident: argv.includes('--resident'),
    json: value('--json'), svg: value('--svg'), readme: argv.includes('--readme'), threads,
  };
}


/** One layer's tensors in both layouts (the same values, transposed), and its geometry. */
function prepareLayer(l: LayerSpec) {
  const cg = l.inChannels / l.groups;
  const nchw = randomData(l.batch * l.inChannels * l.height * l.width, 1);
  const oihw = randomData(l.outChannels * cg * l.kernel * l.kernel, 2);
  const nhwc = new Float32Array(nchw.length);
  for (let n = 0; n < l.batch; n++)
    for (let c = 0; c < l.inChannels; c++)
      for (let p = 0; p < l.height * l.width; p++)
        nhwc[(n * l.height * l.width + p) * l.inChannels + c] = nchw[(n * l.inChannels + c) * l.height * l.width + p]!;
  const hwio = new Float32Array(oihw.length);
  const taps = l.kernel * l.kernel;
  for (let m = 0; m < l.outChannels; m++)
    for (let c = 0; c < cg; c++)
      for (let t = 0; t < taps; t++) hwio[(t * cg + c) * l.outChannels + m] = oihw[(m * cg + c) * taps + t]!;
  const options = (layout: Layout): Conv2dOptions => ({
    layout, stride: l.stride, dilation: l.dilation, padding: l.padding, groups: l.groups,
  });
  const tensors: Record<Layout, { input: TensorData; weight: TensorData; options: Conv2dOptions }> = {
    NCHW: { input: { data: nchw, shape: [l.batch, l.inChannels, l.height, l.width] }, weight: { data: oihw, shape: [l.outChannels, cg, l.kernel, l.kernel] }, options: options('NCHW') },
    NHWC: { input: { data: nhwc, shape: [l.batch, l.height, l.width, l.inChannels] }, weight: { data: hwio, shape: [l.kernel, l.kernel, cg, l.outChannels] }, options: options('NHWC') },
  };
  const t = tensors.NCHW;
  const geometry = resolveConv2dGeometry(resolveConv2dFilter(t.weight, t.options), t.input);
  return { tensors, geometry };
}

async function benchLayer(l: LayerSpec, peers: boolean, resident: boolean): Promise<LayerResult> {
  const { tensors, geometry } = prepareLayer(l);
  const result: LayerResult = { layer: l.name, multiplyAdds: conv2dMultiplyAdds(geometry), ms: {}, rounds: {}, unsupported: {} };
  const fast: TimedTask[] = [];
  const cleanups: Array<() => void> = [];
  const { input: nchwInput } = tensors.NCHW;
  const outputShape = conv2dOutputShape(geometry);
  const output = tensor(new Float32Array(outputShape.reduce((a, b) => a * b)), outputShape);
  cleanups.push(() => output.dispose());
  const passBytes = 4 * Math.min(nchwInput.data.length, output.size);
  fast.push({
    name: COPY_FLOOR,
    run: () => {
      const x = tensor(nchwInput.data, nchwInput.shape);
      const from = tensorPointer(x, 'x');
      new Uint8Array(getRuntime().memory.buffer).copyWithin(tensorPointer(output, 'output'), from, from + passBytes);
      x.dispose();
      output.dataSync();
    },
  });
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const { input, weight, options } = tensors[layout];
    const conv = createConv2d(weight, options);
    cleanups.push(() => conv.dispose());
    fast.push({ name: `simdconv ${layout}`, run: () => conv.run(input) });
    if (resident) {
      const x = tensor(input.data, input.shape);
      cleanups.push(() => x.dispose());
      fast.push({
        name: `simdconv ${layout} tensor`,
        run: () => {
          const y = conv.run(x);
          y.dataSync();
          y.dispose();
        },
      });
    }
  }
  if (peers) {
    const add = (engine: Engine, peer: PeerResult) => {
      if ('unsupported' in peer) result.unsupported[engine] = peer.unsupported;
      else {
        cleanups.push(() => peer.dispose());
        fast.push({ name: engine, run: () => peer.run() });
      }
    };
    add('tfjs-wasm', await createTfjsWasmRunner(geometry, tensors.NHWC.input.data, tensors.NHWC.weight.data));
    add('ort-web', await createOrtRunner(geometry, tensors.NCHW.input.data, tensors.NCHW.weight.data));
  }
  try {
    for (const [engine, values] of await interleavedRounds(l.name, fast)) {
      result.ms[engine as Timed] = median(values);
      result.rounds[engine as Timed] = values;
    }
    // The plain-JS reference takes up to a second a call: three calls after one warm-up.
    const { input, weight, options } = tensors.NCHW;
    const slow = await medians(l.name, [{ name: 'plain JS', run: () => referenceConv2d(input, weight, options) }],
      { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 });
    result.ms['plain JS'] = slow.get('plain JS');
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
  return result;
}

export interface ThreadResult {
  layer: string;
  multiplyAdds: number;
  oneThreadMs: number;
  /** run() split over the calling thread and the pool. */
  poolMs: number;
  /** One thread's time over the pool's, paired by round (pairedSpeedUp). */
  speedUp: number;
  /** runAsync on the pool's workers, and one thread's time over it. */
  asyncMs: number;
  asyncSpeedUp: number;
  /** The same rounds' speed-up of a loop with no memory traffic split over as many workers (cores.ts). */
  ceiling: number;
  /** onnxruntime-web with the same number of threads (--peers). */
  ortMs?: number;
  /** ORT's time over the pool's, paired by round. */
  overOrt?: number;
}

/** More rounds than the main table: the 2-core ratios are what the threads table is for. */
const THREAD_ROUNDS = 9;

/**
 * Each layer (NCHW) on the calling thread against runAsync on the pool, and with --peers against
 * onnxruntime-web on as many threads, interleaved. Runs in a process of its own (--threads-child):
 * ORT's thread count is fixed per process, and the main table's ORT runs on one thread.
 */
async function benchThreads(layers: LayerSpec[], threads: number, peers: boolean): Promise<ThreadResult[]> {
  if (peers) setOrtThreads(threads);
  const results: ThreadResult[] = [];
  const cores = CoreProbe.create(threads);
  for (const l of layers) {
    const { tensors, geometry } = prepareLayer(l);
    const { input, weight, options } = tensors.NCHW;
    const [conv, pooled] = [createConv2d(weight, options), createConv2d(weight, options)];
    const tasks: TimedTask[] = [
      // run() kept on the calling thread, against run() split over it and the pool.
      { name: 'one', run: () => onCallingThread(() => conv.run(input)) },
      { name: 'pool', run: () => pooled.run(input) },
      // An async function, so that tinybench awaits each call.
      { name: 'async', run: async () => { await pooled.runAsync(input); } },
      // The machine's own ceiling in the same rounds (cores.ts). Async functions, as above: tinybench
      // calls other functions once to find out whether they return a promise, and leaves it running.
      { name: 'loop one', run: async () => { await cores.one(); } },
      { name: 'loop split', run: async () => { await cores.split(); } },
    ];
    const ort = peers ? await createOrtRunner(geometry, input.data, weight.data) : null;
    if (ort && !('unsupported' in ort)) tasks.push({ name: 'ort', run: async () => { await ort.run(); } });
    try {
      const rounds = await interleavedRounds(`${l.name} threads`, tasks, { rounds: THREAD_ROUNDS, pauseMs: peers ? 30 : 0 });
      const ms = (name: string) => median(rounds.get(name)!);
      results.push({
        layer: l.name, multiplyAdds: conv2dMultiplyAdds(geometry), oneThreadMs: ms('one'), poolMs: ms('pool'), speedUp: pairedSpeedUp(rounds, 'one', 'pool'),
        asyncMs: ms('async'), asyncSpeedUp: pairedSpeedUp(rounds, 'one', 'async'),
        ceiling: pairedSpeedUp(rounds, 'loop one', 'loop split'),
        ...(rounds.has('ort') ? { ortMs: ms('ort'), overOrt: pairedSpeedUp(rounds, 'ort', 'pool') } : {}),
      });
    } finally {
      conv.dispose();
      pooled.dispose();
      if (ort && !('unsupported' in ort)) ort.dispose();
    }
    process.stderr.write(`  ${l.name} (threads)\n`);
  }
  cores.terminate();
  return results;
}

/** The benchmark in a child process of its own (threads-child.ts); returns its stdout. */
function childStdout(argv: string[]): string {
  const entry = fileURLToPath(new URL('./threads-child.js', import.meta.url));
  return execFileSync(process.execPath, [entry, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
}

/** benchThreads in a child process; its results come back as JSON on stdout. */
function benchThreadsInChild(argv: string[]): ThreadResult[] {
  return JSON.parse(childStdout(argv)) as ThreadResult[];
}

function formatThreads(results: ThreadResult[], threads: number): string {
  const g = (r: ThreadResult, ms: number) => ((2 * r.multiplyAdds) / (ms * 1e6)).toFixed(2);
  const ort = results.some((r) => r.ortMs !== undefined);
  return [
    `| layer (NCHW) | MMAC | 1 thread GFLOP/s | ${threads} threads run() GFLOP/s | speed-up | runAsync speed-up | machine's ${threads}-thread ceiling |${ort ? ` ort-web ${threads} threads GFLOP/s | ×ort |` : ''}`,
    `|:--|--:|--:|--:|--:|--:|--:|${ort ? '--:|--:|' : ''}`,
    ...results.map((r) => `| ${r.layer} | ${(r.multiplyAdds / 1e6).toFixed(1)} | ${g(r, r.oneThreadMs)} | ${g(r, r.poolMs)} | ${r.speedUp.toFixed(2)}× | ${r.asyncSpeedUp.toFixed(2)}× | ${r.ceiling.toFixed(2)}× |` +
      (ort ? (r.ortMs === undefined ? ' – | – |' : ` ${g(r, r.ortMs)} | ${r.overOrt!.toFixed(2)}× |`) : '')),
  ].join('\n');
}

const gflops = (r: LayerResult, ms: number | undefined) => (ms === undefined ? undefined : (2 * r.multiplyAdds) / (ms * 1e6));

function formatTable(results: LayerResult[], peers: boolean, resident = false): string {
  const engines = ENGINES.filter((e) => (peers || (e !== 'tfjs-wasm' && e !== 'ort-web')) && (resident || !e.endsWith('tensor')));
  /**
   * How many times faster `fast` ran than `slow`: paired by round where both were interleaved
   * (a round in a slow phase of the machine slows both; medians taken from different phases of
   * this VM were seen 2× apart), else the ratio of medians (plain JS runs on its own).
   */
  const speedUp = (r: LayerResult, fast: Timed, slow: Timed): string => {
    const [a, b] = [r.ms[fast], r.ms[slow]];
    if (a === undefined || b === undefined) return '–';
    const [fastRounds, slowRounds] = [r.rounds[fast], r.rounds[slow]];
    const paired = fastRounds && slowRounds ? pairedRatio(slowRounds, fastRounds) : b / a;
    return `${paired.toFixed(2)}×`;
  };
  const header = ['layer', 'MMAC', ...engines.map((e) => `${e} GFLOP/s`), 'NCHW ×JS', 'NHWC ×JS', ...(peers ? ['NHWC ×tfjs', 'NCHW ×ort'] : []), ...(peers && resident ? ['NHWC tensor ×tfjs', 'NCHW tensor ×ort'] : []), 'NHWC/NCHW', 'JS/floor', ...(peers ? ['ort/floor'] : [])];
  const body = results.map((r) => [
    r.layer,
    (r.multiplyAdds / 1e6).toFixed(1),
    ...engines.map((e) => (r.unsupported[e] ? 'n/a' : gflops(r, r.ms[e])?.toFixed(2) ?? '–')),
    speedUp(r, 'simdconv NCHW', 'plain JS'),
    speedUp(r, 'simdconv NHWC', 'plain JS'),
    ...(peers ? [speedUp(r, 'simdconv NHWC', 'tfjs-wasm'), speedUp(r, 'simdconv NCHW', 'ort-web')] : []),
    ...(peers && resident ? [speedUp(r, 'simdconv NHWC tensor', 'tfjs-wasm'), speedUp(r, 'simdconv NCHW tensor', 'ort-web')] : []),
    speedUp(r, 'simdconv NHWC', 'simdconv NCHW'),
    // The most a `{ data, shape }` call could reach over plain JS and ORT with no compute at all.
    speedUp(r, COPY_FLOOR, 'plain JS'),
    ...(peers ? [speedUp(r, COPY_FLOOR, 'ort-web')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = results.flatMap((r) => Object.entries(r.unsupported).map(([e, why]) => `n/a: ${e} on ${r.layer}: ${why}`));
  return [line(header), rule, ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md. */
function replaceReadmeSection(name: string, text: string): void {
  const readme = 'README.md'; // run from the repository's root (npm run bench)
  const content = readFileSync(readme, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!content.includes(start) || !content.includes(end)) throw new Error(`README.md has no ${name} markers`);
  writeFileSync(readme, `${content.slice(0, content.indexOf(start) + start.length)}\n${text}\n${content.slice(content.indexOf(end))}`);
}

/**
 * init's `isa` from --isa (default 'auto'), checked by init itself; child processes get the same
 * argv, so the same build.
 */
function isaArg(argv: string[]): InitOptions['isa'] {
  const i = argv.indexOf('--isa');
  return i < 0 ? 'auto' : (String(argv[i + 1]) as InitOptions['isa']);
}

/** The benchmark with command-line flags (see the top of this file). */
export async function runBenchmark(argv: string[]): Promise<void> {
  const isa = isaArg(argv);
  if (argv.includes('--networks')) return runNetworks(argv, isa);
  const args = parseArgs(argv);
  if (argv.includes('--threads-child')) {
    await init({ threads: args.threads, isa });
    process.stdout.write(JSON.stringify(await benchThreads(args.layers, args.threads, args.peers)));
    return;
  }
  // `--json -` prints the figures as JSON on stdout and everything else on stderr.
  const jsonToStdout = args.json === '-';
  const log = (text: string) => (jsonToStdout ? process.stderr.write(`${text}\n`) : console.log(text));
  await init({ threads: args.threads, isa });
  const title = `simdconv ${args.peers ? 'vs plain JS, tfjs-backend-wasm and onnxruntime-web' : 'vs plain JS (the reference)'}, one thread, ` +
    `${runContext()}; medians after warm-up`;
  log(`${title}\n`);
  // The ops and the full-HD filters (the suite) run first: once onnxruntime-web is loaded for
  // the layers, every engine in the process measured 20–50% slower here, simdconv included.
  const ops = args.ops ? await benchOps(args.peers) : [];
  const opsTable = formatOps(ops);
  const images = args.ops ? await benchImages1080p(args.threads) : null;
  const results: LayerResult[] = [];
  for (const l of args.layers) {
    results.push(await benchLayer(l, args.peers, args.resident));
    process.stderr.write(`  ${l.name}\n`);
  }
  const table = formatTable(results, args.peers, args.resident);
  log(`\n${table}`);
  const threadResults = args.threads > 1 ? benchThreadsInChild(argv.filter((a, i) => !['--json', '--svg'].includes(argv[i - 1] ?? '') && !['--json', '--svg', '--readme'].includes(a))) : [];
  const threadsTable = formatThreads(threadResults, args.threads);
  if (args.threads > 1) {
    const state = info();
    log(`\nsimdconv on ${state.threads} thread(s) (run() split over the calling thread and the pool, and runAsync on the workers) against run() on 1${args.peers ? ` and onnxruntime-web on ${args.threads}` : ''}, in a process of their own; GFLOP/s from medians after warm-up, ratios the median of ${THREAD_ROUNDS} interleaved rounds' own ratios${state.notice ? `; ${state.notice}` : ''}:\n\n${threadsTable}`);
  }
  if (args.images) log(`\n${await imageJob('out')}`);
  if (args.ops) log(`\n${opsTable}`);
  if (images) log(`\n${images.table}`);
  if (args.json) {
    const json = `${JSON.stringify({ title, node: process.versions.node, engines: ENGINES, results, ops, images: images?.rows ?? [], threads: threadResults }, null, 2)}\n`;
    if (jsonToStdout) process.stdout.write(json);
    else {
      writeFileSync(args.json, json);
      log(`\nwrote ${args.json}`);
    }
  }
  if (args.svg) {
    writeFileSync(args.svg, renderChart(title, results.map((r) => ({ layer: r.layer, values: Object.fromEntries(ENGINES.map((e) => [e, gflops(r, r.ms[e])])) }))));
    log(`wrote ${args.svg}`);
  }
  if (args.readme) {
    replaceReadmeSection('bench', `${title}:\n\n${table}`);
    if (args.ops) replaceReadmeSection('ops', opsTable);
    if (images) replaceReadmeSection('images', images.table);
    if (args.threads > 1) replaceReadmeSection('threads', threadsTable);
    log('updated the table in README.md');
  }
}

/** --networks: the whole-network benchmark (networks/main.ts) instead of the layers. */
async function runNetworks(argv: string[], isa: InitOptions['isa']): Promise<void> {
  const options = parseNetworksArgs(argv);
  if (argv.includes('--threads-child')) {
    await init({ threads: options.threads, isa });
    return networksChild(argv);
  }
  const log = (text: string) => (options.json === '-' ? process.stderr.write(`${text}\n`) : console.log(text));
  // --readme --from-json FILE: the README table from a saved run, without rerunning.
  const from = argv[argv.indexOf('--from-json') + 1];
  if (argv.includes('--from-json') && from) {
    const { section, text } = networksTableFromJson(from);
    replaceReadmeSection(section, text);
    log(`updated the networks table in README.md from ${from}`);
    return;
  }
  await init({ threads: 1, isa }); // the main rounds are all one thread; --threads N runs in the child
  await benchNetworks(options, { log, inChild: childStdout, replaceReadme: replaceReadmeSection, argv });
}
