// Resident tensors: every op on Tensors gives bitwise what it gives on { data, shape }, tensors
// survive memory growth, tidy / keep / dispose free what they should, a long loop keeps memory
// flat, async calls read their input at the call and hold their tensors, and inputs whose getters
// change between reads can never make an op touch memory outside its allocation.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add, avgPool2d, conv2d, createConv2d, globalAvgPool2d, init, keep, maxPool2d, memory, OPS, tensor, Tensor, tidy, type TensorData, type TensorInput,
} from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import { expectMatchesReference, pick, randomInt, randomTensor, seededRandom } from './helpers.js';

beforeAll(async () => {
  await init({ threads: 2 });
});

const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const resident = (t: TensorData): Tensor => tensor(t.data, t.shape);

/** `conv` run on `x` made a resident Tensor gives `expected` bit for bit. */
function expectSameFromTensor(conv: ReturnType<typeof createConv2d>, x: TensorData, expected: Float32Array, label: string): void {
  const t = resident(x);
  const fromTensor = conv.run(t);
  expect(same(fromTensor.dataSync(), expected), `${label} Tensor`).toBe(true);
  fromTensor.dispose();
  t.dispose();
}

/** One call of an op: its input and the rest of its arguments (weights as TensorData). */
interface OpCall {
  x: TensorData;
  /** Arguments after the input: weights, then options (whose bias may be swapped for a Tensor). */
  args: (weights: TensorInput[], bias: Float32Array | Tensor | undefined) => unknown[];
  weights: TensorData[];
  bias?: Float32Array;
}

type OneShot = (...args: unknown[]) => unknown;

/** A random call of each convolution op in the registry, in the given layout. */
function callsFor(random: () => number, nchw: boolean): Record<string, OpCall> {
  const [C, M, H, W] = [randomInt(random, 1, 9), randomInt(random, 1, 9), randomInt(random, 3, 14), randomInt(random, 3, 14)];
  const N = pick(random, [1, 2]);
  const layout = nchw ? 'NCHW' as const : 'NHWC' as const;
  const x = randomTensor(random, nchw ? [N, C, H, W] : [N, H, W, C]);
  const padding = pick(random, ['same', 'valid', 1] as const);
  const activation = pick(random, ['none', 'relu', 'relu6', 'tanh'] as const);
  const stride = pick(random, [1, 2]);
  const bias = (m: number) => Float32Array.from({ length: m }, () => random() - 0.5);
  // Drawn once here: every call of one op in a round gets the same options.
  const algorithm = stride === 1 ? pick(random, ['auto', 'gemm', 'direct', 'winograd'] as const) : 'auto';
  const transposeDilation = pick(random, [1, 2]);
  return {
    conv2d: {
      x, weights: [randomTensor(random, nchw ? [M, C, 3, 3] : [3, 3, C, M])], bias: bias(M),
      args: ([w], b) => [w, { layout, padding, stride, activation, bias: b, algorithm }],
    },
    conv1d: {
      x: randomTensor(random, nchw ? [N, C, W * 3] : [N, W * 3, C]), weights: [randomTensor(random, nchw ? [M, C, 3] : [3, C, M])], bias: bias(M),
      args: ([w], b) => [w, { layout: nchw ? 'NCW' : 'NWC', padding, stride, activation, bias: b }],
    },
    conv3d: {
      x: randomTensor(random, nchw ? [1, C, 4, H, W] : [1, 4, H, W, C]), weights: [randomTensor(random, nchw ? [M, C, 3, 3, 3] : [3, 3, 3, C, M])], bias: bias(M),
      args: ([w], b) => [w, { layout: nchw ? 'NCDHW' : 'NDHWC', padding: 1, activation, bias: b }],
    },
    convTranspose2d: {
      x, weights: [randomTensor(random, nchw ? [C, M, 3, 3] : [3, 3, M, C])], bias: bias(M),
      // Dilation 2 takes the spread form, dilation 1 the phases.
      args: ([w], b) => [w, { layout, stride, padding: 1, dilation: transposeDilation, activation, bias: b }],
    },
    depthwiseConv2d: {
      x, weights: [randomTensor(random, nchw ? [C * 2, 1, 3, 3] : [3, 3, C, 2])], bias: bias(C * 2),
      args: ([w], b) => [w, { layout, padding, stride, activation, bias: b }],
    },
    separableConv2d: {
      x, weights: [randomTensor(random, nchw ? [C, 1, 3, 3] : [3, 3, C, 1]), randomTensor(random, nchw ? [M, C, 1, 1] : [1, 1, C, M])], bias: bias(M),
      args: ([dw, pw], b) => [dw, pw, { layout, padding, stride, activation, bias: b }],
    },
  };
}

const convOps = Object.keys(OPS).filter((name) => 'create' in OPS[name as keyof typeof OPS]) as Array<keyof typeof OPS>;

describe('every op on Tensors', () => {
  it('covers every prepared op of the registry (add and the pools below; filterImage takes images)', () => {
    expect(Object.keys(callsFor(seededRandom(1), true)).sort()).toEqual([...convOps].sort());
  });

  for (const nchw of [true, false]) {
    it(`gives bitwise what { data, shape } gives, one-shot, prepared, async, with Tensor weights and bias (${nchw ? 'NCHW' : 'NHWC'})`, async () => {
      const random = seededRandom(nchw ? 101 : 202);
      for (let round = 0; round < 12; round++) {
        for (const [name, call] of Object.entries(callsFor(random, nchw))) {
          const entry = OPS[name as keyof typeof OPS];
          const label = `${name} round ${round}`;
          const host = (entry.oneShot as OneShot)(call.x, ...call.args(call.weights, call.bias)) as TensorData;
          const before = memory().numTensors;
          const x = resident(call.x);
          const weights = call.weights.map(resident);
          const bias = call.bias && tensor(call.bias, [call.bias.length]);
          const outputs = [
            (entry.oneShot as OneShot)(x, ...call.args(weights, bias)),
            await (entry.async as (...args: unknown[]) => Promise<unknown>)(x, ...call.args(weights, bias)),
          ];
          const prepared = ((entry as { create?: unknown }).create as OneShot)(...call.args(weights, bias)) as { run(x: unknown): unknown; runAsync(x: unknown): Promise<unknown>; dispose(): void };
          outputs.push(prepared.run(x), await prepared.runAsync(x), prepared.run(call.x));
          prepared.dispose();
          for (const [i, y] of outputs.entries()) {
            if (i === 4) {
              expect(y, label).not.toBeInstanceOf(Tensor);
              expect(same((y as TensorData).data, host.data), `${label}: prepared on { data, shape }`).toBe(true);
              continue;
            }
            expect(y, label).toBeInstanceOf(Tensor);
            const t = y as Tensor;
            expect(t.shape, label).toEqual(host.shape);
            expect(same(t.dataSync(), host.data), `${label}: output ${i}`).toBe(true);
            t.dispose();
          }
          for (const t of [x, ...weights, ...(bias ? [bias] : [])]) t.dispose();
          expect(memory().numTensors, label).toBe(before);
        }
      }
    });
  }
});

describe('add and the pools on Tensors', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`give bitwise what { data, shape } gives, NaN and ±Infinity included (${layout})`, async () => {
      const random = seededRandom(layout === 'NCHW' ? 31 : 32);
      const start = memory().numTensors;
      for (let round = 0; round < 40; round++) {
        const [C, H, W] = [randomInt(random, 1, 11), randomInt(random, 2, 13), randomInt(random, 2, 13)];
        const shape = layout === 'NCHW' ? [pick(random, [1, 2]), C, H, W] : [pick(random, [1, 2]), H, W, C];
        const a = randomTensor(random, shape);
        const b = randomTensor(random, shape);
        if (round % 4 === 0) [a.data[0], a.data[a.data.length - 1], b.data[1]] = [NaN, Infinity, -Infinity];
        const pool = { kernel: pick(random, [1, 2, 3]), stride: pick(random, [1, 2]), padding: pick(random, [0, 1, 'same'] as const), layout, ceilMode: random() < 0.3 };
        const activation = pick(random, ['none', 'relu', 'relu6'] as const);
        const countIncludePad = random() < 0.5;
        const calls: Array<[string, (x: TensorInput, y: TensorInput) => unknown]> = [
          ['add', (x, y) => add(x, y, { activation })],
          ['add (a Tensor, b data)', (x) => add(x, b, { activation })],
          ['maxPool2d', (x) => maxPool2d(x, pool)],
          ['avgPool2d', (x) => avgPool2d(x, { ...pool, countIncludePad })],
          ['globalAvgPool2d', (x) => globalAvgPool2d(x, { layout })],
        ];
        for (const [label, call] of calls) {
          const host = call(a, b) as TensorData;
          const [ta, tb] = [resident(a), resident(b)];
          const y = call(ta, tb);
          expect(y, label).toBeInstanceOf(Tensor);
          expect((y as Tensor).shape, label).toEqual(host.shape);
          expect(same((y as Tensor).dataSync(), host.data), `${label} round ${round}`).toBe(true);
          for (const t of [y as Tensor, ta, tb]) t.dispose();
        }
      }
      expect(memory().numTensors).toBe(start);
    });
  }

  it('refuse a disposed tensor, naming it', async () => {
    const t = tensor(new Float32Array(4), [1, 1, 2, 2]);
    const live = tensor(new Float32Array(4), [1, 1, 2, 2]);
    t.dispose();
    expect(() => add(live, t)).toThrowError(/b is a disposed tensor/);
    expect(() => add(t, live)).toThrowError(/a is a disposed tensor/);
    expect(() => maxPool2d(t, { kernel: 2 })).toThrowError(/input is a disposed tensor/);
    await expect(OPS.avgPool2d.async(t, { kernel: 2 })).rejects.toThrowError(/input is a disposed tensor/);
    expect(() => globalAvgPool2d(t)).toThrowError(/input is a disposed tensor/);
    live.dispose();
  });
});

describe('Tensor', () => {
  it('has a frozen copy of its shape, its size, and gives fresh arrays', async () => {
    const shape = [1, 2, 3];
    const t = tensor(Float32Array.from({ length: 6 }, (_, i) => i), shape);
    shape[0] = 5;
    expect(t.shape).toEqual([1, 2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.size).toBe(6);
    const a = t.dataSync();
    a[0] = 99;
    expect(Array.from(t.dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(await t.data())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tensor([1, 2, 3], [3]).dataSync()).toEqual(new Float32Array([1, 2, 3]));
    t.dispose();
  });

  it('dispose is idempotent; a disposed tensor anywhere throws an Error that says so', async () => {
    const t = tensor(new Float32Array(4), [1, 1, 2, 2]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrowError(/disposed tensor/);
    await expect(t.data()).rejects.toThrowError(/disposed tensor/);
    const w = { data: new Float32Array(1), shape: [1, 1, 1, 1] };
    expect(() => conv2d(t, w)).toThrowError(/input is a disposed tensor/);
    await expect(OPS.conv2d.async(t, w)).rejects.toThrowError(/input is a disposed tensor/);
    expect(() => createConv2d(t)).toThrowError(/weight is a disposed tensor/);
    const dead = tensor(new Float32Array(1), [1]);
    dead.dispose();
    expect(() => createConv2d(w, { bias: dead })).toThrowError(/options\.bias is a disposed tensor/);
    for (const [name, call] of Object.entries(callsFor(seededRandom(3), true))) {
      const entry = OPS[name as keyof typeof OPS];
      expect(() => (entry.oneShot as OneShot)(t, ...call.args(call.weights, call.bias)), name).toThrowError(/input is a disposed tensor/);
      await expect((entry.async as (...args: unknown[]) => Promise<unknown>)(t, ...call.args(call.weights, call.bias)), name).rejects.toThrowError(/input is a disposed tensor/);
      expect(() => (entry.oneShot as OneShot)(call.x, ...call.args([t, ...call.weights.slice(1)], call.bias)), name).toThrowError(/Weight is a disposed tensor/i);
    }
  });

  it('refuses bad data and shapes with the argument named, and cannot be constructed directly', () => {
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrowError(new RangeError('tensor: data has 5 elements but shape [2, 3] needs 6'));
    expect(() => tensor(new Float64Array(6) as never, [2, 3])).toThrowError(TypeError);
    expect(() => tensor(new Float32Array(6), [2, 0, 3])).toThrowError(RangeError);
    expect(() => tensor(new Float32Array(6), 6 as never)).toThrowError(TypeError);
    expect(() => new (Tensor as unknown as new (...a: unknown[]) => Tensor)(Symbol('x'), [1], 0)).toThrowError(TypeError);
    expect(() => conv2d(new Proxy(tensor(new Float32Array(1), [1, 1, 1, 1]), {}), { data: new Float32Array(1), shape: [1, 1, 1, 1] })).toThrowError(TypeError);
  });

  it('survives memory growth: it holds an offset, not a view', () => {
    const before = memory().wasmBytes;
    const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5);
    const small = tensor(values, [1000]);
    // Larger than all memory so far: memory must grow, and every old view detaches.
    const big = tensor(new Float32Array(before / 4 + 65536), [before / 4 + 65536]);
    expect(memory().wasmBytes).toBeGreaterThan(before);
    expect(same(small.dataSync(), values)).toBe(true);
    const y = conv2d(tensor(values, [1, 1, 10, 100]), { data: new Float32Array([2]), shape: [1, 1, 1, 1] });
    expect(Array.from(y.dataSync().slice(0, 3))).toEqual([0, 1, 2]);
    for (const t of [small, big, y]) t.dispose();
  });
});

describe('tidy and keep', () => {
  const w = { data: new Float32Array([1]), shape: [1, 1, 1, 1] };

  it('dispose every tensor made inside except those returned or kept', () => {
    const start = memory().numTensors;
    let inner: Tensor[] = [];
    let kept: Tensor | null = null;
    const result = tidy(() => {
      const a = tensor(new Float32Array(4), [1, 1, 2, 2]);
      const b = conv2d(a, w);
      kept = keep(conv2d(b, w));
      inner = [a, b];
      return { out: conv2d(b, w), list: [b] };
    });
    expect(inner[0]!.isDisposed).toBe(true);
    expect(inner[1]!.isDisposed).toBe(false); // returned inside an array of the result
    expect(result.out.isDisposed).toBe(false);
    expect(kept!.isDisposed).toBe(false);
    expect(memory().numTensors).toBe(start + 3);
    for (const t of [result.out, inner[1]!, kept!]) t.dispose();
    expect(memory().numTensors).toBe(start);
  });

  it('nested: a tensor returned from the inner tidy belongs to the outer one', () => {
    const start = memory().numTensors;
    let fromInner: Tensor | null = null;
    tidy(() => {
      fromInner = tidy(() => conv2d(tensor(new Float32Array(1), [1, 1, 1, 1]), w));
      expect(fromInner.isDisposed).toBe(false);
    });
    expect(fromInner!.isDisposed).toBe(true);
    expect(memory().numTensors).toBe(start);
  });

  it('frees everything when fn throws, and refuses async fns and non-functions', () => {
    const start = memory().numTensors;
    expect(() => tidy(() => {
      tensor(new Float32Array(1), [1]);
      throw new Error('boom');
    })).toThrowError('boom');
    expect(memory().numTensors).toBe(start);
    expect(() => tidy((async () => tensor(new Float32Array(1), [1])) as never)).toThrowError(TypeError);
    expect(() => tidy(42 as never)).toThrowError(new TypeError('tidy: fn must be a function, got number'));
    expect(() => keep({} as never)).toThrowError(TypeError);
  });

  it('a 10,000-step loop of tensor ops keeps memory flat', () => {
    const random = seededRandom(5);
    const conv = createConv2d(randomTensor(random, [4, 4, 3, 3]), { padding: 'same', activation: 'relu' });
    let x = keep(tensor(randomTensor(random, [1, 4, 8, 8]).data, [1, 4, 8, 8]));
    const start = memory().numTensors;
    let wasmAfterWarmUp = 0;
    let allocatedAfterWarmUp = 0;
    for (let step = 0; step < 10_000; step++) {
      const next = tidy(() => conv.run(conv.run(x)));
      x.dispose();
      x = next;
      if (step === 100) {
        wasmAfterWarmUp = memory().wasmBytes;
        allocatedAfterWarmUp = memory().allocatedBytes;
      }
    }
    expect(memory().numTensors).toBe(start);
    expect(memory().wasmBytes).toBe(wasmAfterWarmUp);
    expect(memory().allocatedBytes).toBe(allocatedAfterWarmUp);
    x.dispose();
    conv.dispose();
    expect(memory().numTensors).toBe(start - 1);
  });
});

describe('a { data, shape } input written straight into the padded layout its path reads', () => {
  it('a prepared conv reused across inputs and shapes gives what a fresh one gives (its borders stay zero)', () => {
    const random = seededRandom(17);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const algorithm of ['gemm', 'direct', 'depthwise'] as const) {
        const C = algorithm === 'depthwise' ? 5 : 3;
        const M = algorithm === 'depthwise' ? 5 : 4;
        const w = randomTensor(random, layout === 'NCHW' ? [M, algorithm === 'depthwise' ? 1 : C, 3, 3] : [3, 3, algorithm === 'depthwise' ? 1 : C, M]);
        const options = { layout, padding: { top: 2, bottom: 1, left: 1, right: 2 }, groups: algorithm === 'depthwise' ? C : 1, algorithm };
        const conv = createConv2d(w, options);
        // Rows of at least 256 floats (shorter ones take a bulk copy and the kernels' padding pass), and short ones.
        for (const [H, W] of [[6, 300], [6, 300], [4, 263], [6, 300], [9, 7], [6, 300]] as const) {
          // Large values first: a stale interior or a border left non-zero would show.
          const x = randomTensor(random, layout === 'NCHW' ? [2, C, H, W] : [2, H, W, C]);
          x.data.forEach((_, i) => (x.data[i] = x.data[i]! * 1000));
          expect(same(conv.run(x).data, conv2d(x, w, options).data), `${layout} ${algorithm} ${H}×${W}`).toBe(true);
          expectMatchesReference(conv.run(x), x, w, options, `${layout} ${algorithm} ${H}×${W}`);
        }
        conv.dispose();
      }
    }
  });
});

describe('depthwise 3×3 at stride 2 on NCHW planes', () => {
  it('matches the reference on every width residue, from { data, shape } and from a Tensor, one prepared conv over every width', () => {
    const random = seededRandom(23);
    for (const padding of ['same', 'valid', { top: 0, bottom: 2, left: 2, right: 1 }] as const) {
      const C = 3;
      const w = randomTensor(random, [C, 1, 3, 3]);
      const options = { padding, stride: 2, groups: C, algorithm: 'depthwise' as const, activation: pick(random, ['none', 'relu6'] as const) };
      // One prepared conv over every width: a border left non-zero by a wider input would show.
      const conv = createConv2d(w, options);
      for (let W = 3; W <= 44; W++) {
        const H = randomInt(random, 3, 9);
        const x = randomTensor(random, [pick(random, [1, 2]), C, H, W]);
        x.data.forEach((_, i) => (x.data[i] = x.data[i]! * 1000));
        const label = `${JSON.stringify(padding)} ${H}×${W}`;
        const y = conv.run(x);
        expectMatchesReference(y, x, w, options, label);
        expectSameFromTensor(conv, x, y.data, label);
      }
      conv.dispose();
    }
  });
});

describe('depthwise 3×3 on NCHW planes four channels at a time (stride 2, or rows of at most 16)', () => {
  // C ≥ 4 runs the interleaved kernel; one channel alone runs the plane kernel, which sums in
  // the same order: each channel of the C-channel result must be that channel's own result.
  it('matches the reference and each channel computed alone, bit for bit, with short last blocks, on every width 1–20 (and 37–40 at stride 2)', () => {
    const random = seededRandom(31);
    for (const C of [4, 5, 6, 7, 9, 13]) {
      const stride = C % 2 === 0 ? 2 : 1;
      const padding = pick(random, ['same', 'valid', { top: 2, bottom: 0, left: 0, right: 2 }] as const);
      const activation = pick(random, ['none', 'relu', 'relu6', 'tanh'] as const);
      const w = randomTensor(random, [C, 1, 3, 3]);
      const bias = Float32Array.from({ length: C }, () => random() - 0.5);
      const options = { padding, stride, groups: C, algorithm: 'depthwise' as const, activation, bias };
      const conv = createConv2d(w, options);
      const alone = Array.from({ length: C }, (_, c) => createConv2d(
        { data: w.data.slice(c * 9, c * 9 + 9), shape: [1, 1, 3, 3] }, { ...options, groups: 1, bias: bias.slice(c, c + 1) },
      ));
      const widths = [...Array.from({ length: 20 }, (_, i) => i + 1), ...(stride === 2 ? [37, 38, 39, 40] : [])];
      for (const W of widths) {
        const H = randomInt(random, 1, 11);
        if (padding === 'valid' && (W < 3 || H < 3)) continue;
        const N = pick(random, [1, 2]);
        const x = randomTensor(random, [N, C, H, W]);
        x.data.forEach((_, i) => (x.data[i] = x.data[i]! * 1000));
        const label = `C ${C} stride ${stride} ${JSON.stringify(padding)} ${activation} ${N}×${H}×${W}`;
        const y = conv.run(x);
        expectMatchesReference(y, x, w, options, label);
        const plane = y.data.length / (N * C);
        for (let n = 0; n < N; n++) {
          for (let c = 0; c < C; c++) {
            const at = (n * C + c) * H * W;
            const one = alone[c]!.run({ data: x.data.slice(at, at + H * W), shape: [1, 1, H, W] });
            const mine = y.data.subarray((n * C + c) * plane, (n * C + c + 1) * plane);
            expect(same(mine, one.data), `${label} channel ${c} of image ${n}`).toBe(true);
          }
        }
        expectSameFromTensor(conv, x, y.data, label);
      }
      conv.dispose();
      for (const a of alone) a.dispose();
    }
  });
});

describe('depthwise 3×3 at stride 1 on NCHW planes read in place', () => {
  // The same plane with its zero border written by the caller and 'valid' padding is read from a
  // padded copy (the plane kernel's unmasked window): the in-place result must be its bits.
  it('{ data, shape } and resident inputs give the bits of the zero-bordered plane read with \'valid\', on every width 1–44 and 256–259, with ±Infinity and NaN where the windows reach past a row', () => {
    const random = seededRandom(29);
    const C = 3;
    const w = randomTensor(random, [C, 1, 3, 3]);
    for (const activation of ['none', 'relu6'] as const) {
      const options = { padding: 'same' as const, groups: C, algorithm: 'depthwise' as const, activation, bias: Float32Array.from([0.5, -0.25, 0]) };
      // One prepared conv over every width: a zero row or mask left from a wider plane would show.
      const conv = createConv2d(w, options);
      const bordered = createConv2d(w, { ...options, padding: 'valid' });
      for (const W of [...Array.from({ length: 44 }, (_, i) => i + 1), 256, 257, 258, 259]) {
        const H = randomInt(random, 1, 9);
        const x = randomTensor(random, [pick(random, [1, 2]), C, H, W]);
        const label = `${activation} ${H}×${W}`;
        expectMatchesReference(conv.run(x), x, w, options, label);
        // Row ends are what the windows read (masked) as columns -1 and W of the next and previous rows.
        const edges = { data: Float32Array.from(x.data), shape: x.shape };
        for (let row = 0; row < edges.data.length / W; row++) {
          edges.data[row * W] = pick(random, [Infinity, -Infinity, NaN, 1e30]);
          edges.data[row * W + W - 1] = pick(random, [Infinity, -Infinity, NaN, -1e30]);
        }
        for (const input of [x, edges]) {
          const [N, , H1, W1] = input.shape;
          const padded = new Float32Array(N! * C * (H1! + 2) * (W1! + 2));
          for (let plane = 0; plane < N! * C; plane++)
            for (let r = 0; r < H1!; r++)
              padded.set(input.data.subarray((plane * H1! + r) * W1!, (plane * H1! + r + 1) * W1!), (plane * (H1! + 2) + r + 1) * (W1! + 2) + 1);
          const expected = bordered.run({ data: padded, shape: [N!, C, H1! + 2, W1! + 2] }).data;
          expect(same(conv.run(input).data, expected), `${label} { data, shape }`).toBe(true);
          expectSameFromTensor(conv, input, expected, label);
        }
      }
      conv.dispose();
      bordered.dispose();
    }
  });
});

describe('depthwise 3×3 at stride 2 on NCHW planes read in place (rows wider than 16)', () => {
  // Three more zero columns on the right (two or more padded columns past the last window) send
  // the same plane through the four-channel or plane kernel, which copy it zero-bordered: their
  // first output columns must be the in-place bits.
  it('gives the bits of the copied-plane kernels on every width 33–80, each padding form, strides 1 and 2 in rows, with ±Infinity and NaN at the row ends', () => {
    const random = seededRandom(37);
    const paddings = [
      'same', 'valid', { top: 1, bottom: 1, left: 1, right: 1 }, { top: 0, bottom: 2, left: 1, right: 0 }, { top: 2, bottom: 0, left: 0, right: 1 },
    ] as const;
    for (const C of [1, 3, 4, 6]) {
      for (const padding of paddings) {
        const strideH = pick(random, [1, 2]);
        const activation = pick(random, ['none', 'relu', 'relu6', 'leakyRelu'] as const);
        const w = randomTensor(random, [C, 1, 3, 3]);
        const bias = Float32Array.from({ length: C }, () => random() - 0.5);
        const options = { stride: [strideH, 2] as [number, number], groups: C, algorithm: 'depthwise' as const, activation, bias };
        const conv = createConv2d(w, { ...options, padding });
        for (let W = 33; W <= 80; W++) {
          const H = randomInt(random, 3, 9);
          const x = randomTensor(random, [pick(random, [1, 2]), C, H, W]);
          for (let row = 0; row < x.data.length / W; row++) {
            if (random() < 0.3) x.data[row * W] = pick(random, [Infinity, -Infinity, NaN]);
            if (random() < 0.3) x.data[row * W + W - 1] = pick(random, [Infinity, -Infinity, NaN]);
          }
          const y = conv.run(x);
          const [N, , outH, outW] = y.shape as number[];
          // The same windows with three more zero columns past the right edge: one or two more output columns.
          const explicit = typeof padding === 'object' ? padding
            : padding === 'valid' ? { top: 0, bottom: 0, left: 0, right: 0 }
            : { top: Math.floor(Math.max(0, (outH! - 1) * strideH + 3 - H) / 2), bottom: Math.ceil(Math.max(0, (outH! - 1) * strideH + 3 - H) / 2),
                left: Math.floor(Math.max(0, (outW! - 1) * 2 + 3 - W) / 2), right: Math.ceil(Math.max(0, (outW! - 1) * 2 + 3 - W) / 2) };
          const copied = createConv2d(w, { ...options, padding: { ...explicit, right: explicit.right + 3 } });
          const wide = copied.run(x);
          copied.dispose();
          const wideW = wide.shape[3]!;
          const expected = new Float32Array(y.data.length);
          for (let r = 0; r < N! * C * outH!; r++) expected.set(wide.data.subarray(r * wideW, r * wideW + outW!), r * outW!);
          const label = `C ${C} ${JSON.stringify(padding)} stride ${strideH}×2 ${activation} ${x.shape.join('×')}`;
          expect(same(y.data, expected), label).toBe(true);
          expectSameFromTensor(conv, x, expected, label);
        }
        conv.dispose();
      }
    }
  });
});

describe('async calls', () => {
  it('runAsync and *Async given { data, shape } copy the input at the call', async () => {
    const random = seededRandom(8);
    const x = randomTensor(random, [1, 3, 20, 20]);
    const w = randomTensor(random, [5, 3, 3, 3]);
    const expected = conv2d(x, w, { padding: 1 });
    const conv = createConv2d(w, { padding: 1 });
    const first = conv.runAsync(x);
    const second = conv.runAsync(x); // queued behind the first
    const oneShot = OPS.conv2d.async(x, w, { padding: 1 });
    x.data.fill(1000);
    for (const y of [await first, await second, await oneShot]) expect(same(y.data, expected.data)).toBe(true);
    conv.dispose();
  });

  it('a Tensor disposed while an async call uses it is freed only when the call is done', async () => {
    const random = seededRandom(9);
    const data = randomTensor(random, [1, 8, 40, 40]);
    const w = randomTensor(random, [8, 8, 3, 3]);
    const expected = conv2d(data, w, { padding: 1 });
    const start = memory();
    const x = resident(data);
    const conv = createConv2d(w, { padding: 1 });
    const pending = [conv.runAsync(x), conv.runAsync(x)];
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(memory().numTensors).toBe(start.numTensors);
    // Something else allocates meanwhile: it must not get the held tensor's bytes.
    const other = tensor(new Float32Array(data.data.length).fill(7), data.shape);
    for (const y of await Promise.all(pending)) {
      expect(same(y.dataSync(), expected.data)).toBe(true);
      y.dispose();
    }
    other.dispose();
    conv.dispose();
    expect(memory().allocatedBytes).toBe(start.allocatedBytes);
  });
});

describe('inputs that change between reads', () => {
  /** An object whose data and shape getters give something else on every read. */
  function shifty(random: () => number): TensorData {
    const shapes = [[1, 2, 5, 5], [1, 2, 50, 50], [1, 3, 5, 5], [7]];
    return {
      get data() {
        const shape = pick(random, shapes);
        return new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1);
      },
      get shape() {
        return pick(random, shapes);
      },
    };
  }

  /** A shape array whose length and elements change on every read. */
  function shiftyShape(random: () => number): number[] {
    return new Proxy([1, 2, 5, 5], {
      get(target, key) {
        if (key === 'length') return pick(random, [4, 4, 5]);
        if (typeof key === 'string' && /^\d+$/.test(key)) return pick(random, [1, 2, 5, 500_000]);
        return Reflect.get(target, key);
      },
    });
  }

  it('an op computes on one consistent read or throws, and an unrelated prepared op stays exact', async () => {
    const random = seededRandom(12);
    const bystanderInput = randomTensor(random, [1, 2, 9, 9]);
    const bystanderWeight = randomTensor(random, [3, 2, 3, 3]);
    const bystander = createConv2d(bystanderWeight, { padding: 1 });
    const expected = bystander.run(bystanderInput);
    const bystanderTensor = resident(bystanderInput);
    const w = { data: new Float32Array(2 * 2 * 9).fill(0.5), shape: [2, 2, 3, 3] };
    const start = memory();
    let computed = 0;
    for (let i = 0; i < 300; i++) {
      const input = i % 2 === 0 ? shifty(random) : { data: new Float32Array(50), shape: shiftyShape(random) };
      // Pooling and add read their inputs the same way: each either computes on one read or throws.
      for (const other of [() => maxPool2d(input, { kernel: 3, padding: 1 }), () => add(input, input), () => avgPool2d(input, { kernel: 2 })]) {
        try {
          const y = other();
          expect(y.data.every((v) => Number.isFinite(v))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }
      for (const call of [() => conv2d(input, w, { padding: 1 }), () => OPS.conv2d.async(input, w, { padding: 1 })]) {
        try {
          const y = await call();
          // One consistent read: all-ones input [1, 2, H, W] → each output is 0.5 × (taps in the window).
          expect(y.shape[1]).toBe(2);
          expect(y.data.every((v) => v > 0 && v <= 9 && Number.isInteger(v))).toBe(true);
          computed++;
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }
      expect(same(bystander.run(bystanderInput).data, expected.data)).toBe(true);
      expect(same(bystanderTensor.dataSync(), bystanderInput.data)).toBe(true);
    }
    expect(computed).toBeGreaterThan(0);
    expect(memory().allocatedBytes).toBe(start.allocatedBytes);
    expect(memory().numTensors).toBe(start.numTensors);
    expectMatchesReference(bystander.run(bystanderInput), bystanderInput, bystanderWeight, { padding: 1 }, 'bystander');
    expect(referenceConv2d(bystanderInput, bystanderWeight, { padding: 1 }).shape).toEqual(expected.shape);
    bystander.dispose();
    bystanderTensor.dispose();
  });
});
