// The reach of the property tests' generators (tests/generators.ts) in the run CI makes
// (CI_FUZZ_SEED, CI_FUZZ_RUNS): the same cases are replayed through the fast path only, with the
// kernel calls recorded, and the test asserts that every kernel path met every residue of the
// output width modulo its column tile, Winograd's several-block splits with and without
// dilation, 'auto' choosing every path, multi-band images and batches. A change that shrinks
// the generators fails here instead of silently testing less.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, depthwiseConv2d, filterImage, init, type TensorData } from 'simdconv';
import { getRuntime } from '../dist/runtime.js';
import {
  conv2dCall, conv2dFamilies, conv2dParams, depthwiseCase, filterImageCall, filterImageFamilies, filterImageParams,
  spatialFamilies, spatialParams,
} from './generators.js';
import { seededRandom } from './helpers.js';
import { CI_FUZZ_RUNS, CI_FUZZ_SEED, drawnCases, type Params, type Property } from './property.js';

beforeAll(async () => {
  // Everything on the calling thread: the recorded kernels are that thread's (a pooled run()
  // would do part of a call on a worker, out of sight).
  await init({ parallelThreshold: Infinity });
});

type KernelCall = { name: string; args: number[] };
/** ROWS_OUTER_MIN_DEPTH in assembly/gemm.ts: the in-place GEMM's loop order changes there. */
const GEMM_ROWS_OUTER_MIN_DEPTH = 32;
/** PACKING_MIN_COLS in assembly/gemm.ts: from here on (and that depth), rows outer packs each row group. */
const GEMM_PACKING_MIN_COLS = 64;

/** Runs `compute` with every kernel call recorded (the main thread's kernels, wrapped meanwhile). */
function recordingKernels<T>(compute: () => T): { result: T; calls: KernelCall[] } {
  const rt = getRuntime() as { kernels: Record<string, unknown> };
  const original = rt.kernels;
  const calls: KernelCall[] = [];
  // (The exports object is frozen: a copy with every function wrapped stands in for it.)
  rt.kernels = Object.fromEntries(Object.entries(original).map(([name, value]) => [name, typeof value !== 'function' ? value
    : (...args: number[]) => {
      calls.push({ name, args });
      return (value as (...a: number[]) => unknown)(...args);
    }]));
  try {
    return { result: compute(), calls };
  } finally {
    rt.kernels = original;
  }
}

/** Null when the call has no output (the fuzz test draws those again). */
function validCall<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RangeError && /no output/.test(error.message)) return null;
    throw error;
  }
}

/** The first `runs` valid cases of the CI run, each with what its build-and-run returned. */
function replay<T>(property: Property, run: (params: Params) => T | null, runs = CI_FUZZ_RUNS): T[] {
  const results: T[] = [];
  for (const params of drawnCases(property, CI_FUZZ_SEED)) {
    if (results.length >= runs) break;
    const result = run(params);
    if (result !== null) results.push(result);
  }
  return results;
}

/** The kernel path that ran, from the kernels it called. */
function pathOf(calls: KernelCall[]): string {
  const names = new Set(calls.map((c) => c.name));
  if (names.has('winogradOutput')) return 'winograd';
  if (names.has('depthwiseNCHW') || names.has('depthwiseNHWC')) return 'depthwise';
  if (names.has('directNCHW4x8') || names.has('directNHWC4x8')) return 'direct';
  if (names.has('gemm')) return 'gemm';
  return 'none';
}

const outWidth = (y: TensorData, layout: string): number => y.shape[layout === 'NCHW' ? 3 : 2]!;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Sets of values seen, by a key, and the shortfalls found (all reported at once). */
class Tally {
  private readonly sets = new Map<string, Set<number>>();
  readonly gaps: string[] = [];
  add(key: string, value: number): void {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(value);
  }
  /** Every residue 0..modulus-1 was seen under `key`. */
  requireResidues(key: string, modulus: number): void {
    const seen = this.sets.get(key) ?? new Set();
    const never = range(modulus).filter((r) => !seen.has(r));
    if (never.length > 0) this.gaps.push(`${key}: never ${never.join(', ')}`);
  }
  /** At least `min` distinct values (case numbers) were seen under `key`. */
  requireCases(key: string, min: number): void {
    const count = this.sets.get(key)?.size ?? 0;
    if (count < min) this.gaps.push(`${key}: ${count} cases, want >= ${min}`);
  }
}

describe(`the property generators' reach in the CI run (FUZZ_SEED=${CI_FUZZ_SEED}, ${CI_FUZZ_RUNS} cases per op)`, () => {
  it('conv2d: every forced path and auto meet every output-width residue of their tiles, in both layouts; Winograd splits into blocks; batches', () => {
    const property: Property = { name: 'conv2d', params: conv2dParams, families: conv2dFamilies, check: () => true };
    const tally = new Tally();
    const runs = replay(property, (p) => {
      const { input, weight, options } = conv2dCall(p);
      const run = validCall(() => recordingKernels(() => conv2d(input, weight, options)));
      return run && { p, options, ...run };
    });
    let caseNumber = 0;
    for (const { p, options, result, calls } of runs) {
      const path = pathOf(calls);
      const requested = options.algorithm;
      const layout = options.layout!;
      const [dilationH, dilationW] = options.dilation as [number, number];
      const cg = p.algorithm === 'depthwise' ? 1 : (p.channelsPerGroup as number);
      const filtersPerGroup = p.algorithm === 'depthwise' ? 1 : (p.filtersPerGroup as number);
      // A poisoned input makes Winograd hand over to the GEMM: count the path that ran.
      if (requested === 'auto' || requested === path) {
        // The column tile: 32 for the depthwise plane kernel, 8 for the others (and auto's mix).
        const tile = requested === 'depthwise' ? 32 : 8;
        tally.add(`${requested} ${layout} width mod ${tile}`, outWidth(result, layout) % tile);
        if ((p.batch as number) > 1) tally.add(`${requested} batch > 1`, caseNumber);
        if (requested === 'gemm' || requested === 'direct') tally.add(`${path} ${layout} filters per group mod 8`, filtersPerGroup % 8);
      }
      if (requested === 'auto') tally.add(`auto chose ${path}`, caseNumber);
      // The in-place GEMM (NHWC 1×1: A read in place) has one loop order per side of its depth
      // threshold; each must meet every ragged tile edge (4 rows, 8 columns).
      // One output row (NHWC) or column (NCHW), a classifier on one pixel, runs as a GEMV four
      // panels (32 columns) or eight (32 rows) at a time, then single panels.
      for (const call of calls.filter((c) => c.name === 'gemm')) {
        const [rows, cols] = call.args as [number, number];
        if (rows === 1 && call.args[12] === 0) tally.add(`gemv one row, ${cols >= 32 ? 'four panels' : 'single panels'}, columns mod 8`, cols % 8);
        if (cols === 1 && call.args[11] === 0) tally.add(`gemv one column, ${rows >= 32 ? 'eight panels' : 'single panels'}, rows mod 4`, rows % 4);
      }
      for (const call of calls.filter((c) => c.name === 'gemm' && c.args[11] !== 0)) {
        const [rows, cols, depth] = call.args as [number, number, number];
        const packs = depth >= GEMM_ROWS_OUTER_MIN_DEPTH && cols >= GEMM_PACKING_MIN_COLS && call.args[13] !== 0;
        const order = packs ? 'packed row groups' : depth >= GEMM_ROWS_OUTER_MIN_DEPTH ? 'rows outer' : 'panels outer';
        tally.add(`gemm in place, ${order}, rows mod 4`, rows % 4);
        tally.add(`gemm in place, ${order}, columns mod 8`, cols % 8);
      }
      if (path === 'winograd') {
        if (cg >= 8) tally.add(`winograd${requested === 'auto' ? ' (auto)' : ''} with >= 8 channels per group`, caseNumber);
        for (const call of calls.filter((c) => c.name === 'winogradOutput')) {
          const [ty0, tx0, rows, cols] = call.args.slice(4, 8) as [number, number, number, number];
          const down = dilationH > 1 ? 'dilated rows' : 'dense';
          const across = dilationW > 1 ? 'dilated columns' : 'dense';
          if (rows > 1) tally.add(`winograd multi-row block, ${down}`, caseNumber);
          if (cols > 1) tally.add(`winograd multi-column block, ${across}`, caseNumber);
          if (ty0 > 0) tally.add(`winograd block below another, ${down}`, caseNumber);
          if (tx0 > 0) tally.add(`winograd block right of another, ${across}, ${layout}`, caseNumber);
        }
      }
      caseNumber++;
    }
    expect(runs.length).toBe(CI_FUZZ_RUNS);

    for (const layout of ['NCHW', 'NHWC']) {
      for (const [path, modulus] of [['gemm', 8], ['direct', 8], ['winograd', 8], ['depthwise', 32], ['auto', 8]] as const) {
        tally.requireResidues(`${path} ${layout} width mod ${modulus}`, modulus);
      }
      // The NHWC tiles are 8 filters wide, the NCHW ones 4.
      for (const path of ['gemm', 'direct']) tally.requireResidues(`${path} ${layout} filters per group mod 8`, 8);
    }
    for (const panels of ['four panels', 'single panels']) tally.requireResidues(`gemv one row, ${panels}, columns mod 8`, 8);
    for (const panels of ['eight panels', 'single panels']) tally.requireResidues(`gemv one column, ${panels}, rows mod 4`, 4);
    for (const order of ['rows outer', 'panels outer', 'packed row groups']) {
      tally.requireResidues(`gemm in place, ${order}, rows mod 4`, 4);
      tally.requireResidues(`gemm in place, ${order}, columns mod 8`, 8);
    }
    for (const path of ['auto', 'gemm', 'direct', 'depthwise', 'winograd']) tally.requireCases(`${path} batch > 1`, 10);
    for (const path of ['gemm', 'direct', 'depthwise', 'winograd']) tally.requireCases(`auto chose ${path}`, 10);
    tally.requireCases('winograd with >= 8 channels per group', 20);
    tally.requireCases('winograd (auto) with >= 8 channels per group', 10);
    for (const [down, across] of [['dense', 'dense'], ['dilated rows', 'dilated columns']]) {
      tally.requireCases(`winograd multi-row block, ${down}`, 5);
      tally.requireCases(`winograd block below another, ${down}`, 5);
      tally.requireCases(`winograd multi-column block, ${across}`, 5);
      for (const layout of ['NCHW', 'NHWC']) tally.requireCases(`winograd block right of another, ${across}, ${layout}`, 3);
    }
    expect(tally.gaps).toEqual([]);
  });

  it('depthwiseConv2d: every output-width residue of the 32-column plane kernel, in both layouts', () => {
    const property: Property = { name: 'depthwiseConv2d', params: spatialParams, families: spatialFamilies, check: () => true };
    const tally = new Tally();
    const runs = replay(property, (p) => {
      const { input, weight, spatial } = depthwiseCase(p, seededRandom(p.data as number));
      const y = validCall(() => depthwiseConv2d(input, weight, spatial));
      return y && { p, y };
    });
    for (const { p, y } of runs) {
      tally.add(`${p.layout} width mod 32`, outWidth(y, p.layout as string) % 32);
      tally.add(`${p.layout} channels mod 8`, (p.channels as number) % 8);
    }
    for (const layout of ['NCHW', 'NHWC']) {
      tally.requireResidues(`${layout} width mod 32`, 32);
      tally.requireResidues(`${layout} channels mod 8`, 8);
    }
    expect(tally.gaps).toEqual([]);
  });

  it('filterImage: images of 2 and more bands, with separable presets across band borders; every width residue of the plane kernel', () => {
    const property: Property = { name: 'filterImage', params: filterImageParams, families: filterImageFamilies, check: () => true };
    const tally = new Tally();
    const runs = replay(property, (p) => {
      const { image, kernel, options } = filterImageCall(p);
      return { p, ...recordingKernels(() => filterImage(image, kernel, options)) };
    });
    runs.forEach(({ p, calls }, i) => {
      // imageToFloat widens one band: its rowBegin is the band's first row.
      const bands = new Set(calls.filter((c) => c.name === 'imageToFloat').map((c) => c.args[10]!)).size;
      const separable = p.kernel === 'gaussian' || (p.kernel === 'box' && (p.size as number) > 1);
      if (bands >= 2) tally.add('several bands', i);
      if (bands >= 3) tally.add('three bands', i);
      if (bands >= 2 && separable) tally.add(`several bands, ${p.kernel}`, i);
      tally.add('width mod 32', (p.width as number) % 32);
    });
    tally.requireCases('several bands', 100);
    tally.requireCases('three bands', 20);
    tally.requireCases('several bands, gaussian', 10);
    tally.requireCases('several bands, box', 10);
    tally.requireResidues('width mod 32', 32);
    expect(tally.gaps).toEqual([]);
  });
});
