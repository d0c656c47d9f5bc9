// The worker pool: every op's async form matches its reference (simdconv/reference, within the
// stated tolerance; filterImage byte for byte) and is bitwise the single-thread call, for 1, 2
// and 3 threads; small layers stay on the calling thread; a failing task rejects and the
// pool stays usable. In Chromium this runs cross-origin isolated (vitest.config.ts), so the
// threaded path is the one tested there too.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv1dAsync, conv2d, conv2dAsync, conv3d, conv3dAsync, convTranspose2d, convTranspose2dAsync, createConv2d,
  depthwiseConv2d, depthwiseConv2dAsync, filterImage, filterImageAsync, info, init, KERNEL_PRESETS, separableConv2d, separableConv2dAsync,
  type Conv2dOptions, type TensorData,
} from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, conv3d as referenceConv3d, convTranspose2d as referenceConvTranspose2d,
  filterImage as referenceFilterImage,
} from 'simdconv/reference';
import { getPool, getRuntime } from '../dist/runtime.js';
import { PreparedConv2d } from '../dist/ops/conv2d.js';
import { tensor as residentTensor } from 'simdconv';
import { tensorPointer } from '../dist/memory/tensor.js';
import type { Conv2dGeometry } from '../dist/shape.js';
import {
  DEFAULT_TOLERANCE, expectMatchesReference, expectSeparableMatchesReference, expectWithinTolerance, pick, randomInt, randomTensor,
  referenceMagnitude, RELATIVE_TOLERANCE, saturatingAllowance, seededRandom, WINOGRAD_TOLERANCE,
} from './helpers.js';

// A low threshold sends the test's small shapes to the pool, so every band path is exercised.
const THRESHOLD = 200_000;
beforeAll(async () => {
  await init({ threads: 3, parallelThreshold: THRESHOLD });
});

const asTensor = (image: { data: Uint8ClampedArray | Uint8Array; width: number; height: number }): TensorData =>
  ({ data: Float32Array.from(image.data), shape: [image.height, image.width, 4] });
/** `fn` with everything on the calling thread (parallelThreshold Infinity), then the threshold back. */
function singleThread<T>(fn: () => T): T {
  const threshold = info().parallelThreshold;
  void init({ parallelThreshold: Infinity }); // set at the call: init has loaded already
  try {
    return fn();
  } finally {
    void init({ parallelThreshold: threshold });
  }
}
const same = (a: TensorData, b: TensorData) => a.shape.join() === b.shape.join() && a.data.every((v, i) => Object.is(v, b.data[i]));

type Case = {
  label: string;
  sync(): TensorData;
  async(): Promise<TensorData>;
  /** Fails unless `actual` is the reference's result within the stated tolerance. */
  expectMatchesOracle(actual: TensorData): void;
};

/** An op's result against its reference, within RELATIVE_TOLERANCE of Σ|w·x| + |b|. */
function expectMatchesOpReference<O extends { activation?: string; alpha?: number; bias?: Float32Array; layout?: string; padding?: unknown }>(
  actual: TensorData, reference: (x: TensorData, w: TensorData, o: O) => TensorData, x: TensorData, w: TensorData, options: O, label: string,
): void {
  const expected = reference(x, w, options);
  expect(actual.shape, label).toEqual(expected.shape);
  expectWithinTolerance(actual.data, expected.data, referenceMagnitude(reference, x, w, options), RELATIVE_TOLERANCE, saturatingAllowance(options), label);
}

/** The path conv2d takes (so that only a Winograd result gets Winograd's looser bound). */
/** The filter band of each pool task a prepared conv2d would hand out for input `x` (white box). */
function filterBands(pool: Awaited<ReturnType<typeof getPool>> & object, x: TensorData, w: TensorData, options: Conv2dOptions) {
  const prepared = new PreparedConv2d(w, options);
  const plan = prepared.plan(x.shape);
  const resident = residentTensor(x.data, x.shape);
  try {
    const tasks = prepared.parallelTasks(pool, plan, tensorPointer(resident, 'x'), tensorPointer(resident, 'x'), {});
    return tasks.map((t) => (t.kind === 'conv' ? t.buffers.filters : null));
  } finally {
    resident.dispose();
    prepared.release();
  }
}

/** conv2d on a 3-thread pool (three tasks per call) and conv2dAsync: the reference's values, bitwise the single thread's. */
async function expectPooledIsSingleThread(x: TensorData, w: TensorData, options: Conv2dOptions, label: string, tolerance: typeof DEFAULT_TOLERANCE = DEFAULT_TOLERANCE) {
  const expected = singleThread(() => conv2d(x, w, options));
  const before = info().poolTasks;
  const pooled = conv2d(x, w, options);
  const asynced = await conv2dAsync(x, w, options);
  expect(info().poolTasks - before).toBe(6);
  expectMatchesReference(pooled, x, w, options, 'conv2d', tolerance);
  expect(same(pooled, expected), label).toBe(true);
  expect(same(asynced, expected), label).toBe(true);
}

function conv2dPath(x: TensorData, w: TensorData, options: Conv2dOptions): string {
  const conv = new PreparedConv2d(w, options);
  const path = conv.plan(x.shape).algorithm.name;
  conv.release();
  return path;
}

/** Random calls of every op, each above THRESHOLD multiply-adds, so they go to the pool. */
function cases(random: () => number): Case[] {
  const layout = pick(random, ['NCHW', 'NHWC'] as const);
  const nchw = layout === 'NCHW';
  const [C, M, H, W] = [randomInt(random, 8, 20), randomInt(random, 8, 24), randomInt(random, 30, 60), randomInt(random, 30, 60)];
  // Batches of 1–3: split by rows of each image, or by whole images when they divide evenly.
  const N = pick(random, [1, 1, 2, 3]);
  const x = randomTensor(random, nchw ? [N, C, H, W] : [N, H, W, C]);
  const options = { layout, padding: pick(random, ['same', 'valid', 1] as const), stride: pick(random, [1, 1, 2]), activation: pick(random, ['none', 'relu', 'tanh'] as const) };
  const algorithm = pick(random, ['auto', 'gemm', 'direct', 'winograd'] as const);
  const conv2dOptions = { ...options, algorithm, ...(algorithm === 'winograd' ? { stride: 1, dilation: pick(random, [1, 2]) } : {}) };
  const w = randomTensor(random, nchw ? [M, C, 3, 3] : [3, 3, C, M]);
  const dw = randomTensor(random, nchw ? [C, 1, 3, 3] : [3, 3, C, 1]);
  const pw = randomTensor(random, nchw ? [M, C, 1, 1] : [1, 1, C, M]);
  // The 1-D, 3-D and transposed cases are thinner: still over THRESHOLD, but cheap for the
  // reference (a plain loop) to check.
  const x1 = randomTensor(random, nchw ? [2, C * 2, H * 8] : [2, H * 8, C * 2]);
  const w1 = randomTensor(random, nchw ? [M, C * 2, 5] : [5, C * 2, M]);
  const [C3, M3] = [Math.ceil(C / 4), Math.ceil(M / 4)];
  const x3 = randomTensor(random, [1, C3, 6, 24, 24]);
  const w3 = randomTensor(random, [M3, C3, 3, 3, 3]);
  const [Ht, Wt] = [Math.ceil(H / 2), Math.ceil(W / 2)];
  const xt = randomTensor(random, nchw ? [N, C, Ht, Wt] : [N, Ht, Wt, C]);
  const wt = randomTensor(random, nchw ? [C, M, 4, 4] : [4, 4, M, C]);
  const [imageW, imageH] = [randomInt(random, 40, 200), randomInt(random, 200, 380)];
  const image = { data: Uint8ClampedArray.from({ length: imageW * imageH * 4 }, () => Math.floor(random() * 256)), width: imageW, height: imageH };
  const filter = { kernel: pick(random, KERNEL_PRESETS), options: { edge: pick(random, ['zero', 'clamp', 'reflect', 'wrap'] as const), sigma: 2.5, channels: pick(random, ['rgb', 'rgba', 'luma'] as const) } };
  const transposeOptions = { layout, stride: pick(random, [1, 2, 3]), padding: 1, activation: options.activation };
  const conv1dOptions = { layout: nchw ? 'NCW' as const : 'NWC' as const, padding: 'same' as const };
  // The depthwise weight as conv2d takes it (groups = C): one filter per channel in either layout.
  const dwAs2d = nchw ? dw : { data: dw.data, shape: [3, 3, 1, C] };
  const spatial = { layout, weightLayout: nchw ? 'OIHW' as const : 'HWIO' as const, padding: options.padding, stride: options.stride };
  return [
    {
      label: `conv2d ${JSON.stringify(conv2dOptions)}`, sync: () => conv2d(x, w, conv2dOptions), async: () => conv2dAsync(x, w, conv2dOptions),
      expectMatchesOracle: (y) => expectMatchesReference(y, x, w, conv2dOptions, 'conv2d',
        conv2dPath(x, w, conv2dOptions) === 'winograd' ? WINOGRAD_TOLERANCE : DEFAULT_TOLERANCE),
    },
    {
      label: 'conv1d', sync: () => conv1d(x1, w1, conv1dOptions), async: () => conv1dAsync(x1, w1, conv1dOptions),
      expectMatchesOracle: (y) => expectMatchesOpReference(y, referenceConv1d, x1, w1, conv1dOptions, 'conv1d'),
    },
    {
      label: 'conv3d', sync: () => conv3d(x3, w3, { padding: 1 }), async: () => conv3dAsync(x3, w3, { padding: 1 }),
      expectMatchesOracle: (y) => expectMatchesOpReference(y, referenceConv3d, x3, w3, { padding: 1 }, 'conv3d'),
    },
    {
      label: `convTranspose2d ${JSON.stringify(transposeOptions)}`, sync: () => convTranspose2d(xt, wt, transposeOptions), async: () => convTranspose2dAsync(xt, wt, transposeOptions),
      expectMatchesOracle: (y) => expectMatchesOpReference(y, referenceConvTranspose2d, xt, wt, transposeOptions, 'convTranspose2d'),
    },
    {
      label: 'depthwiseConv2d', sync: () => depthwiseConv2d(x, dw, options), async: () => depthwiseConv2dAsync(x, dw, options),
      expectMatchesOracle: (y) => expectMatchesReference(y, x, dwAs2d, { ...spatial, activation: options.activation, groups: C }, 'depthwiseConv2d'),
    },
    {
      label: 'separableConv2d', sync: () => separableConv2d(x, dw, pw, options), async: () => separableConv2dAsync(x, dw, pw, options),
      expectMatchesOracle: (y) => expectSeparableMatchesReference(y, x, dwAs2d, pw, spatial, C, { activation: options.activation }, 'separableConv2d'),
    },
    {
      // An image of 2–3 bands of rows (128 each), its bytes as a tensor for the comparison.
      label: `filterImage ${JSON.stringify(filter)}`,
      sync: () => asTensor(filterImage(image, filter.kernel, filter.options)),
      async: async () => asTensor(await filterImageAsync(image, filter.kernel, filter.options)),
      expectMatchesOracle: (y) => {
        const expected = asTensor(referenceFilterImage(image, filter.kernel, filter.options));
        expect(y.shape).toEqual(expected.shape);
        const first = y.data.findIndex((v, i) => v !== expected.data[i]);
        expect(first, `filterImage byte ${first}: ${y.data[first]} against the reference's ${expected.data[first]}`).toBe(-1);
      },
    },
  ];
}

describe('threads', () => {
  it('run on workers over shared memory where the environment allows it', () => {
    const state = info();
    expect(state.simd).toBe(true);
    expect(state.sharedMemory).toBe(true);
    expect(state.threads).toBe(3);
    expect(state.notice).toBeNull();
  });

  for (const threads of [3, 2, 1]) {
    it(`every op's run() and async form with ${threads} thread(s) match the reference and are bitwise the single-thread result`, async () => {
      await init({ threads });
      expect(info().threads).toBe(threads);
      const random = seededRandom(700 + threads);
      let syncTasks = 0;
      let asyncTasks = 0;
      for (let round = 0; round < 4; round++) {
        for (const c of cases(random)) {
          const expected = singleThread(() => c.sync());
          let before = info().poolTasks;
          // run() splits over the calling thread and threads − 1 workers.
          const pooled = c.sync();
          syncTasks += info().poolTasks - before;
          before = info().poolTasks;
          const actual = await c.async();
          asyncTasks += info().poolTasks - before;
          c.expectMatchesOracle(actual);
          expect(same(pooled, expected), `${threads} threads, round ${round}, run(): ${c.label}`).toBe(true);
          expect(same(actual, expected), `${threads} threads, round ${round}, async: ${c.label}`).toBe(true);
        }
      }
      // With a pool the work went to it, in both forms; with one thread there is no pool.
      if (threads > 1) {
        // All seven ops split their run() too (separableConv2d step by step).
        expect(syncTasks).toBeGreaterThan(28 * (threads - 1));
        expect(asyncTasks).toBeGreaterThan(28 * (threads - 1));
      } else {
        expect(info().poolTasks).toBe(0);
      }
    });
  }

  it('Winograd on a 7×7 image splits by filters (two tile rows would be two padded blocks): bitwise the single thread', async () => {
    await init({ threads: 3 });
    const pool = (await getPool())!;
    const random = seededRandom(71);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const nchw = layout === 'NCHW';
      const [C, M] = [24, 60];
      const x = randomTensor(random, nchw ? [1, C, 7, 7] : [1, 7, 7, C]);
      const w = randomTensor(random, nchw ? [M, C, 3, 3] : [3, 3, C, M]);
      const bias = randomTensor(random, [M]).data;
      const options = { layout, padding: 1, algorithm: 'winograd' as const, bias, activation: 'relu' as const };
      // White box: the pool's tasks for this shape are filter bands of 8-filter panels.
      expect(filterBands(pool, x, w, options)).toEqual([{ begin: 0, end: 24 }, { begin: 24, end: 48 }, { begin: 48, end: 60 }]);
      await expectPooledIsSingleThread(x, w, options, layout, WINOGRAD_TOLERANCE);
    }
  });

  it('a classifier (1×1 conv on one pixel, a GEMV) splits by filters: bitwise the single thread', async () => {
    await init({ threads: 3 });
    const pool = (await getPool())!;
    const random = seededRandom(73);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const nchw = layout === 'NCHW';
      const [C, M] = [260, 1001];
      const x = randomTensor(random, nchw ? [1, C, 1, 1] : [1, 1, 1, C]);
      const w = randomTensor(random, nchw ? [M, C, 1, 1] : [1, 1, C, M]);
      const options = { layout, bias: randomTensor(random, [M]).data, activation: 'relu6' as const };
      // White box: one output row has no row bands to split; the tasks are bands of 8-filter panels.
      expect(filterBands(pool, x, w, options)).toEqual([{ begin: 0, end: 336 }, { begin: 336, end: 672 }, { begin: 672, end: 1001 }]);
      await expectPooledIsSingleThread(x, w, options, layout);
    }
  });

  it('run() while another op\'s async run holds the pool computes on the calling thread, and both results are right', async () => {
    await init({ threads: 2 });
    const random = seededRandom(72);
    const [x, w] = [randomTensor(random, [1, 16, 48, 48]), randomTensor(random, [16, 16, 3, 3])];
    const [a, b] = [createConv2d(w, { padding: 1 }), createConv2d(w, { padding: 1 })];
    const expected = singleThread(() => a.run(x));
    const pending = a.runAsync(x);
    // Microtasks take the async run up to its batch; finishing it takes a task, so it is in flight.
    const pool = (await getPool())!;
    for (let i = 0; i < 100 && pool.idle; i++) await Promise.resolve();
    expect(pool.idle).toBe(false);
    const before = info().poolTasks;
    const alone = b.run(x);
    expect(info().poolTasks).toBe(before);
    expect(same(alone, expected)).toBe(true);
    expect(same(await pending, expected)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('thousands of back-to-back small batches (late workers meet finished batches) stay bitwise exact', async () => {
    await init({ threads: 3, parallelThreshold: 0 });
    try {
      const random = seededRandom(73);
      const shapes = [[1, 4, 6, 6], [1, 3, 9, 5], [2, 4, 5, 7]];
      const convs = shapes.map((s) => {
        const w = randomTensor(random, [5, s[1]!, 3, 3]);
        return { x: randomTensor(random, s), conv: createConv2d(w, { padding: 1, algorithm: pick(random, ['gemm', 'direct', 'winograd'] as const) }) };
      });
      const expected = convs.map(({ x, conv }) => singleThread(() => conv.run(x)));
      const before = info().poolTasks;
      for (let i = 0; i < 3000; i++) {
        const k = i % convs.length;
        const y = i % 5 === 4 ? await convs[k]!.conv.runAsync(convs[k]!.x) : convs[k]!.conv.run(convs[k]!.x);
        if (!same(y, expected[k]!)) expect.fail(`run ${i} (shape ${shapes[k]!.join('×')}) differs from one thread`);
      }
      expect(info().poolTasks - before).toBeGreaterThan(3000);
      for (const { conv } of convs) conv.dispose();
    } finally {
      await init({ parallelThreshold: THRESHOLD });
    }
  });

  it('small layers stay on the calling thread', async () => {
    await init({ threads: 2 });
    expect(info().parallelThreshold).toBe(THRESHOLD);
    await conv2dAsync(randomTensor(seededRandom(1), [1, 2, 9, 9]), randomTensor(seededRandom(2), [3, 2, 3, 3]));
    const before = info().poolTasks;
    const y = await conv2dAsync(randomTensor(seededRandom(1), [1, 2, 9, 9]), randomTensor(seededRandom(2), [3, 2, 3, 3]));
    expect(y.shape).toEqual([1, 3, 7, 7]);
    expect(info().poolTasks).toBe(before);
  });

  it('depthwise multiply-adds count 3 times toward the threshold (memory-bound)', async () => {
    await init({ threads: 2 });
    // Dense: 4·784·36 = 112,896 multiply-adds, under 200,000: stays.
    const dense = [randomTensor(seededRandom(6), [1, 4, 28, 28]), randomTensor(seededRandom(7), [4, 4, 3, 3])] as const;
    // Depthwise: 32·400·9 = 115,200, about as many, but 345,600 counted 3 times: goes to the pool.
    const depthwise = [randomTensor(seededRandom(8), [1, 32, 20, 20]), randomTensor(seededRandom(9), [32, 1, 3, 3])] as const;
    let before = info().poolTasks;
    const y = await conv2dAsync(dense[0], dense[1], { padding: 'same' });
    expect(info().poolTasks).toBe(before);
    expect(same(y, conv2d(dense[0], dense[1], { padding: 'same' }))).toBe(true);
    before = info().poolTasks;
    const z = await depthwiseConv2dAsync(depthwise[0], depthwise[1], { padding: 'same' });
    expect(info().poolTasks).toBe(before + 2);
    expect(same(z, depthwiseConv2d(depthwise[0], depthwise[1], { padding: 'same' }))).toBe(true);
  });

  it('a failing task rejects the call; the pool keeps working', async () => {
    await init({ threads: 2 });
    const pool = (await getPool())!;
    const x = randomTensor(seededRandom(3), [1, 8, 40, 40]);
    const w = randomTensor(seededRandom(4), [8, 8, 3, 3]);
    const conv = createConv2d(w, { padding: 1 });
    const prepared = new PreparedConv2d(w, { padding: 1 });
    const plan = prepared.plan(x.shape);
    prepared.release();
    await expect(pool.run([{ kind: 'conv', algorithm: 'nope' as never, geometry: plan.geometry, packedWeights: 0, buffers: { input: 0, output: 0, bias: 0, scratch: 0 } }]))
      .rejects.toThrowError(/a worker failed: .*unknown kernel path 'nope'/);
    expect(same(await conv.runAsync(x), conv.run(x))).toBe(true);
    conv.dispose();
  });

  it('a call with a failing task settles only once its other tasks are done (they write memory the caller reuses)', async () => {
    await init({ threads: 2 });
    const pool = (await getPool())!;
    const rt = getRuntime();
    const x = randomTensor(seededRandom(10), [1, 32, 64, 64]);
    const w = randomTensor(seededRandom(11), [32, 32, 3, 3]);
    const conv = new PreparedConv2d(w, { padding: 1, algorithm: 'gemm' });
    const plan = conv.plan(x.shape);
    const resident = residentTensor(x.data, x.shape);
    const outputTensor = residentTensor(new Float32Array(x.data.length), x.shape);
    const [input, output] = [tensorPointer(resident, 'x'), tensorPointer(outputTensor, 'y')];
    const length = x.data.length;
    new Float32Array(rt.memory.buffer, output, length).fill(NaN);
    const scratch = rt.arena.alloc(plan.algorithm.scratchBytes(plan.geometry) + 64);
    const good = { kind: 'conv' as const, algorithm: 'gemm' as const, geometry: plan.geometry, packedWeights: conv.weightsFor(plan), buffers: { input, output, bias: 0, scratch } };
    const bad = { ...good, algorithm: 'nope' as never };
    // The bad task fails at once on one worker while the good one computes the whole layer on the other.
    await expect(pool.run([bad, good])).rejects.toThrowError(/unknown kernel path 'nope'/);
    const written = new Float32Array(rt.memory.buffer, output, length).slice();
    rt.arena.release(scratch);
    conv.release();
    resident.dispose();
    outputTensor.dispose();
    expect(same({ data: written, shape: [1, 32, 64, 64] }, conv2d(x, w, { padding: 1, algorithm: 'gemm' }))).toBe(true);
  });

  it('async runs on one prepared op queue up; run() meanwhile and run after dispose throw', async () => {
    await init({ threads: 2 });
    const random = seededRandom(5);
    const w = randomTensor(random, [16, 16, 3, 3]);
    const inputs = [0, 1, 2].map(() => randomTensor(random, [1, 16, 40, 40]));
    const conv = createConv2d(w, { padding: 'same' });
    const expected = inputs.map((x) => conv.run(x));
    const pending = inputs.map((x) => conv.runAsync(x));
    expect(() => conv.run(inputs[0]!)).toThrowError(/while its runAsync\(\) is in progress/);
    const results = await Promise.all(pending);
    results.forEach((y, i) => expect(same(y, expected[i]!)).toBe(true));
    conv.dispose();
    await expect(conv.runAsync(inputs[0]!)).rejects.toThrowError(/disposed/);
  });
});
