/// <reference types="node" />
// The whole-network benchmark (`--networks`): MobileNetV2 and ResNet-18 at 224², batch 1, one
// graph description (graph.ts) run by every engine — simdconv in both layouts (prepared convs,
// plain-JS adds and pools), tfjs-backend-wasm (XNNPACK, NHWC) and onnxruntime-web (one ONNX
// model, NCHW) — interleaved in rounds in one process, medians; time ratios paired by round.
// `--threads N` adds simdconv on N threads (run() split over the calling thread and the pool,
// and runAsync on N workers) against ORT on N threads in a child process (ORT's thread count is
// fixed per process). `--profile` times every node.
//
//   flags: --networks  --network mobilenetv2|resnet18  --rounds N  --size S  --profile
//          --threads N  --json FILE|-  --readme

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { info } from '../../index.js';
import { randomData } from '../layers.js';
import { setOrtThreads } from '../peers.js';
import { interleavedRounds, median, pairedSpeedUp, runContext, type TimedTask } from '../timing.js';
import { CoreProbe } from '../cores.js';
import { renderChart } from '../chart.js';
import { multiplyAdds, NETWORKS, OP_KINDS, opKind, parameterCount, toNHWC, valueSize, type Graph, type NetworkName, type NetworkRunner, type OpKind } from './graph.js';
import { parseOrtProfile, prepareOrt } from './ort.js';
import { prepareSimdconv } from './simdconv.js';
import { prepareTfjs } from './tfjs.js';

export interface NetworksOptions {
  networks: NetworkName[];
  rounds: number;
  /** Input height and width (224; a multiple of 32). */
  size: number;
  profile: boolean;
  /** > 1: the N-thread comparison, run in a child process. */
  threads: number;
  json?: string;
  readme: boolean;
  /** The one-thread GFLOP/s of every engine as an SVG chart: networks.svg in this file's folder. */
  svg?: string;
}

export interface NodeProfile {
  node: string;
  kind: OpKind;
  multiplyAdds: number;
  /** Median over the profiled runs. */
  ms: number;
}

export interface EngineProfile {
  engine: string;
  nodes: NodeProfile[];
  /** Sum of the node medians per op kind. */
  kinds: Record<OpKind, { nodes: number; multiplyAdds: number; ms: number }>;
  /** Median whole run while profiling, to show what the per-node timing leaves out. */
  runMs: number;
}

export interface NetworkResult {
  network: string;
  size: number;
  /** Threads of the run (1, or --threads N in its child process). */
  threads: number;
  /** Threads each engine ran on. */
  engineThreads: Record<string, number>;
  multiplyAdds: number;
  parameters: number;
  /** Median over rounds of each engine's per-round median, ms. */
  ms: Record<string, number>;
  /** simdconv engine → { peer → simdconv time / peer time, median of the per-round ratios }. */
  timeRatios: Record<string, Record<string, number>>;
  /** Engine → max |engine − reference| / max |reference| over the output, same input. */
  maxRelDiff: Record<string, number>;
  reference: string;
  profiles: EngineProfile[];
  /** N threads: each pool and async engine's speed-up over the same layout's run() on one thread, paired by round. */
  speedUps?: Record<string, number>;
  /** N threads: the machine's own N-thread ceiling in the same rounds (cores.ts), paired by round. */
  ceiling?: number;
}

const PEERS = ['tfjs-wasm', 'ort-web'];
const [LOOP_ONE, LOOP_SPLIT] = ['machine loop, 1 worker', 'machine loop, split'];
const isPeer = (engine: string) => PEERS.includes(engine);

/** max |a − b| over max |ref|: one figure for the whole output, robust to tiny entries. */
export function maxRelativeDifference(output: Float32Array, reference: Float32Array): number {
  if (output.length !== reference.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < output.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(output[i]! - reference[i]!));
    maxRef = Math.max(maxRef, Math.abs(reference[i]!));
  }
  return Number.isNaN(maxDiff) ? Infinity : maxDiff / (maxRef || 1);
}

/**
 * The engines of one run: one thread, or simdconv's run() and runAsync on the pool and ORT on the
 * pool's thread count, with simdconv's run() on one thread for the speed-ups.
 */
export async function prepareEngines(graph: Graph, threads: number): Promise<NetworkRunner[]> {
  if (threads > 1) {
    return [
      // run() on the calling thread, for the speed-ups
      prepareSimdconv(graph, { layout: 'NCHW' }),
      prepareSimdconv(graph, { layout: 'NHWC' }),
      prepareSimdconv(graph, { layout: 'NCHW', mode: 'pool' }),
      prepareSimdconv(graph, { layout: 'NHWC', mode: 'pool' }),
      prepareSimdconv(graph, { layout: 'NCHW', mode: 'async' }),
      prepareSimdconv(graph, { layout: 'NHWC', mode: 'async' }),
      await prepareOrt(graph),
    ];
  }
  return [prepareSimdconv(graph, { layout: 'NCHW' }), prepareSimdconv(graph, { layout: 'NHWC' }), await prepareTfjs(graph), await prepareOrt(graph)];
}

/** The network's input in both layouts (the same values). */
export function networkInput(graph: Graph): Record<'NCHW' | 'NHWC', Float32Array> {
  const nchw = randomData(valueSize(graph.inShape), 12345);
  return { NCHW: nchw, NHWC: toNHWC(nchw, graph.inShape) };
}

async function profileEngine(graph: Graph, engine: NetworkRunner, input: Float32Array, runs: number): Promise<EngineProfile> {
  const perNode: number[][] = graph.nodes.map(() => []);
  const whole: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const { nodeMs } = await engine.runTimed!(input);
    whole.push(performance.now() - t0);
    nodeMs.forEach((ms, i) => perNode[i]!.push(ms));
  }
  const nodes = graph.nodes.map((n, i): NodeProfile => ({
    node: n.name, kind: opKind(n), ms: median(perNode[i]!),
    multiplyAdds: n.op === 'conv' ? valueSize(n.outShape) * (n.inShape.channels / n.groups) * n.kernel * n.kernel : 0,
  }));
  return { engine: engine.name, nodes, kinds: kindTotals(nodes), runMs: median(whole) };
}

function kindTotals(nodes: NodeProfile[]): EngineProfile['kinds'] {
  const kinds = Object.fromEntries(OP_KINDS.map((k) => [k, { nodes: 0, multiplyAdds: 0, ms: 0 }])) as EngineProfile['kinds'];
  for (const p of nodes) {
    kinds[p.kind].nodes++;
    kinds[p.kind].multiplyAdds += p.multiplyAdds;
    kinds[p.kind].ms += p.ms;
  }
  return kinds;
}

async function benchNetwork(name: NetworkName, options: NetworksOptions, threads: number): Promise<NetworkResult> {
  const graph = NETWORKS[name](options.size);
  const engines = await prepareEngines(graph, threads);
  const input = networkInput(graph);
  try {
    // One run each on the same input: the agreement check, and the first warm-up (XNNPACK builds
    // its operators and ORT pre-packs on the first run).
    const outputs = new Map<string, Float32Array>();
    for (const e of engines) outputs.set(e.name, (await e.run(input[e.layout])).slice());
    const reference = 'ort-web';
    const maxRelDiff = Object.fromEntries(engines.filter((e) => e.name !== reference).map((e) => [e.name, maxRelativeDifference(outputs.get(e.name)!, outputs.get(reference)!)]));
    // Async functions, so that tinybench awaits each call whatever the engine returns.
    const tasks: TimedTask[] = engines.map((e) => ({ name: e.name, run: async () => { await e.run(input[e.layout]); } }));
    // On N threads, the machine's own ceiling in the same rounds, as the layer threads table has it.
    const cores = threads > 1 ? CoreProbe.create(threads) : null;
    if (cores) {
      tasks.push({ name: LOOP_ONE, run: async () => { await cores.one(); } }, { name: LOOP_SPLIT, run: async () => { await cores.split(); } });
    }
    // ORT's pool spins for a while after each run on N threads: idle before each engine's phase.
    const rounds = await interleavedRounds(`${graph.name} networks`, tasks, { rounds: options.rounds, pauseMs: threads > 1 ? 30 : 0 }).finally(() => cores?.terminate());
    const ms = Object.fromEntries([...rounds].filter(([name]) => name !== LOOP_ONE && name !== LOOP_SPLIT).map(([engine, values]) => [engine, median(values)]));
    const threaded = cores ? {
      ceiling: pairedSpeedUp(rounds, LOOP_ONE, LOOP_SPLIT),
      speedUps: Object.fromEntries(engines.filter((e) => / (pool|async)$/.test(e.name)).map((e) => [e.name, pairedSpeedUp(rounds, e.name.replace(/ (pool|async)$/, ''), e.name)])),
    } : {};
    const timeRatios: NetworkResult['timeRatios'] = {};
    for (const e of engines.filter((x) => !isPeer(x.name))) {
      timeRatios[e.name] = Object.fromEntries(engines.filter((p) => isPeer(p.name)).map((p) => [p.name, pairedSpeedUp(rounds, e.name, p.name)]));
    }
    const profiles: EngineProfile[] = [];
    if (options.profile) {
      for (const e of engines.filter((x) => x.runTimed)) profiles.push(await profileEngine(graph, e, input[e.layout], Math.max(5, options.rounds)));
    }
    return {
      network: graph.name, size: options.size, threads, engineThreads: Object.fromEntries(engines.map((e) => [e.name, e.threads])),
      multiplyAdds: multiplyAdds(graph), parameters: parameterCount(graph),
      ms, timeRatios, maxRelDiff, reference, profiles, ...threaded,
    };
  } finally {
    for (const e of engines) e.dispose();
  }
}

// --- output ---------------------------------------------------------------------------------------

function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i <= 1 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The N-thread speed-ups and the machine's ceiling, one line per network. */
export function formatSpeedUps(results: NetworkResult[]): string {
  return results.filter((r) => r.ceiling !== undefined).map((r) =>
    `${r.network} on ${r.threads} threads: ${Object.entries(r.speedUps ?? {}).map(([engine, x]) => `${engine} ${x.toFixed(2)}× its one-thread run()`).join(', ')}; ` +
    `the machine's own ${r.threads}-thread ceiling in the same rounds ${r.ceiling!.toFixed(2)}×`).join('\n');
}

/** The networks table (also the README's): one row per network and engine. */
export function formatNetworks(results: NetworkResult[]): string {
  const peers = PEERS.filter((p) => results.some((r) => p in r.ms));
  const header = ['network', 'engine', 'threads', 'median ms', 'GFLOP/s', ...peers.map((p) => `simdconv/${p.replace(/-.*/, '')} time`), `max rel diff vs ${results[0]?.reference ?? 'ort-web'}`];
  const body = results.flatMap((r) => Object.entries(r.ms).map(([engine, ms]) => [
    `${r.network} @${r.size}²`, engine, String(r.engineThreads[engine]), ms.toFixed(1), ((2 * r.multiplyAdds) / (ms * 1e6)).toFixed(2),
    ...peers.map((p) => (r.timeRatios[engine]?.[p] === undefined ? '–' : r.timeRatios[engine]![p]!.toFixed(2))),
    engine === r.reference ? '(reference)' : (r.maxRelDiff[engine]?.toExponential(1) ?? '–'),
  ]));
  return markdownTable(header, body);
}

export function formatProfiles(results: NetworkResult[], topNodes = 10): string {
  const parts: string[] = [];
  for (const r of results) {
    for (const p of r.profiles) {
      const total = OP_KINDS.reduce((s, k) => s + p.kinds[k].ms, 0);
      parts.push(`${r.network} @${r.size}², ${p.engine}: nodes sum to ${total.toFixed(1)} ms of a ${p.runMs.toFixed(1)} ms run`);
      const kindRows = OP_KINDS.filter((k) => p.kinds[k].nodes > 0).map((k) => {
        const s = p.kinds[k];
        return [k, String(s.nodes), (s.multiplyAdds / 1e6).toFixed(1), s.ms.toFixed(2), `${((100 * s.ms) / total).toFixed(1)}%`, s.multiplyAdds ? ((2 * s.multiplyAdds) / (s.ms * 1e6)).toFixed(2) : '–'];
      });
      parts.push(markdownTable(['op kind', 'nodes', 'MMAC', 'ms', 'share', 'GFLOP/s'], kindRows));
      const slowest = [...p.nodes].sort((a, b) => b.ms - a.ms).slice(0, topNodes);
      parts.push(`slowest ${slowest.length} nodes:`);
      parts.push(markdownTable(['node', 'kind', 'MMAC', 'ms', 'GFLOP/s'], slowest.map((n) => [
        n.node, n.kind, (n.multiplyAdds / 1e6).toFixed(1), n.ms.toFixed(2), n.multiplyAdds ? ((2 * n.multiplyAdds) / (n.ms * 1e6)).toFixed(2) : '–',
      ])));
      parts.push('');
    }
  }
  return parts.join('\n');
}

export function parseNetworksArgs(argv: string[]): NetworksOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, fallback: number, min: number) => {
    const v = Number(value(flag) ?? fallback);
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${flag} must be an integer ≥ ${min}, got ${value(flag)}`);
    return v;
  };
  const one = value('--network');
  if (one !== undefined && !(one in NETWORKS)) throw new RangeError(`--network must be one of ${Object.keys(NETWORKS).join(', ')}, got ${one}`);
  const size = int('--size', 224, 32);
  if (size % 32 !== 0) throw new RangeError(`--size must be a multiple of 32, got ${size}`);
  return {
    networks: one ? [one as NetworkName] : (Object.keys(NETWORKS) as NetworkName[]),
    rounds: int('--rounds', 5, 1), size, profile: argv.includes('--profile'), threads: int('--threads', 1, 1),
    json: value('--json'), svg: value('--svg'), readme: argv.includes('--readme'),
  };
}

/** Profiled ORT runs of one network: ORT prints its profile on stdout, so they run in a child. */
const ORT_PROFILE_RUNS = 7;

async function ortProfileChild(options: NetworksOptions): Promise<void> {
  const graph = NETWORKS[options.networks[0]!](options.size);
  const ort = await prepareOrt(graph, { profile: true });
  const input = networkInput(graph).NCHW;
  for (let r = 0; r < ORT_PROFILE_RUNS; r++) await ort.run(input);
  ort.endProfiling();
  ort.dispose();
}

/** ORT's per-node kernel times as an EngineProfile; nodes ORT fused away (activations, some adds) are absent. */
function ortProfile(graph: Graph, text: string): EngineProfile {
  const { nodes: events, runMs } = parseOrtProfile(text);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const nodes: NodeProfile[] = [];
  for (const [name, { opName, ms }] of events) {
    const base = byName.get(name) ?? byName.get(name.replace(/\.relu6?$/, ''));
    if (!base) continue;
    const own = base.name === name;
    nodes.push({
      node: `${name} (${opName})`, kind: opKind(base), ms: median(ms),
      multiplyAdds: own && base.op === 'conv' ? valueSize(base.outShape) * (base.inShape.channels / base.groups) * base.kernel * base.kernel : 0,
    });
  }
  return { engine: 'ort-web', nodes, kinds: kindTotals(nodes), runMs: runMs.length ? median(runMs) : NaN };
}

/** The child process (--threads-child): the N-thread rounds as JSON, or ORT's printed profile. */
export async function networksChild(argv: string[]): Promise<void> {
  const options = parseNetworksArgs(argv);
  if (argv.includes('--ort-profile')) return ortProfileChild(options);
  setOrtThreads(options.threads); // before ORT loads; the caller has run init({ threads })
  const results: NetworkResult[] = [];
  for (const name of options.networks) {
    results.push(await benchNetwork(name, options, options.threads));
    process.stderr.write(`  ${results.at(-1)!.network} (${options.threads} threads)\n`);
  }
  process.stdout.write(JSON.stringify(results));
}

/**
 * The networks benchmark. `log` prints the human part; `inChild` runs the --threads child (the
 * caller's benchmark process knows how to spawn itself); `replaceReadme` writes a README section.
 */
export async function benchNetworks(options: NetworksOptions, hooks: {
  log: (text: string) => void;
  /** Runs the benchmark with these flags in a child process; returns its stdout. */
  inChild: (argv: string[]) => string;
  replaceReadme: (section: string, text: string) => void;
  argv: string[];
}): Promise<NetworkResult[]> {
  const { log } = hooks;
  const title = `Whole networks, batch 1, simdconv (resident tensors: prepared convs, add, maxPool2d, globalAvgPool2d; residual adds fused into their conv) vs tfjs-backend-wasm and onnxruntime-web, ` +
    `${runContext()}; medians of ${options.rounds} interleaved rounds, time ratios paired by round`;
  log(`${title}\n`);
  const results: NetworkResult[] = [];
  // Children get the same flags, minus the parent's outputs.
  const childArgv = hooks.argv.filter((a, i) => !['--json', '--svg', '--network'].includes(hooks.argv[i - 1] ?? '') && !['--json', '--svg', '--readme', '--network'].includes(a));
  for (const name of options.networks) {
    const result = await benchNetwork(name, options, 1);
    if (options.profile) result.profiles.push(ortProfile(NETWORKS[name](options.size), hooks.inChild([...childArgv, '--network', name, '--ort-profile'])));
    results.push(result);
    process.stderr.write(`  ${result.network}\n`);
  }
  if (options.threads > 1) results.push(...(JSON.parse(hooks.inChild(childArgv)) as NetworkResult[]));
  const table = formatNetworks(results);
  const state = info();
  log(`${table}\n\nmax rel diff: max |output − reference| / max |reference| over the 1000 outputs, same input.` +
    (options.threads > 1 ? ` Rows with threads ${options.threads}: simdconv "pool" is run() split over the calling thread and the pool, "async" is runAsync on the pool's workers (init({ threads: ${options.threads} })), and ORT runs with numThreads ${options.threads}, in a process of their own; simdconv NCHW and NHWC there are run() on one thread (parallelThreshold Infinity) for the speed-ups.${state.notice ? ` ${state.notice}` : ''}\n\n${formatSpeedUps(results)}` : ''));
  if (options.profile) log(`\nPer node (--profile; node medians over the profiled runs, each node timed around its call; tfjs-wasm ops run synchronously, so its per-op times are real):\n\n${formatProfiles(results)}`);
  if (options.json) {
    const section = { title, results };
    if (options.json === '-') process.stdout.write(`${JSON.stringify({ networks: section }, null, 2)}\n`);
    else {
      // Merged into an existing results file (npm run bench writes bench/results.json): the
      // layers' figures stay, the networks section is replaced.
      const existing = existsSync(options.json) ? (JSON.parse(readFileSync(options.json, 'utf8')) as Record<string, unknown>) : {};
      writeFileSync(options.json, `${JSON.stringify({ ...existing, networks: section }, null, 2)}\n`);
      log(`\nwrote the networks section of ${options.json}`);
    }
  }
  if (options.svg) {
    const rows = results.filter((r) => r.threads === 1).map((r) => ({
      layer: `${r.network} @${r.size}²`,
      values: Object.fromEntries(Object.entries(r.ms).map(([engine, ms]) => [engine, (2 * r.multiplyAdds) / (ms * 1e6)])),
    }));
    // Beside the layers' chart that the same flag names (npm run bench passes --svg bench/results.svg).
    const file = join(dirname(options.svg), 'networks.svg');
    writeFileSync(file, renderChart(`${title} (one thread)`, rows));
    log(`wrote ${file}`);
  }
  if (options.readme) {
    const speedUps = formatSpeedUps(results);
    hooks.replaceReadme(networksReadmeSection(title), `${title}:\n\n${table}${speedUps ? `\n\n${speedUps}` : ''}`);
    log('updated the networks table in README.md');
  }
  return results;
}

/**
 * The README section a networks table goes to: one per kernel build, which its title names
 * (runContext), so that the README shows the SIMD128 figures beside the relaxed-SIMD ones.
 */
export function networksReadmeSection(title: string): string {
  return title.includes('simdconv simd128 build') ? 'networks-simd128' : 'networks';
}

/** The README section and table from a results file's networks section (what --readme writes, without a rerun). */
export function networksTableFromJson(file: string): { section: string; text: string } {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { networks?: { title: string; results: NetworkResult[] } };
  if (!json.networks) throw new Error(`${file} has no networks section: run npm run bench -- --networks first`);
  const speedUps = formatSpeedUps(json.networks.results);
  const text = `${json.networks.title}:\n\n${formatNetworks(json.networks.results)}${speedUps ? `\n\n${speedUps}` : ''}`;
  return { section: networksReadmeSection(json.networks.title), text };
}
