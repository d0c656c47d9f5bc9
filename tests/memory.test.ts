// The prepared form keeps its packed weights and workspace: repeated runs neither allocate nor
// grow WebAssembly memory, and dispose / one-shot calls give every byte back.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALGORITHMS, conv1d, conv2d, conv3d, convTranspose2d, createConv1d, createConv2d, createConv3d, createConvTranspose2d,
  createDepthwiseConv2d, createSeparableConv2d, depthwiseConv2d, filterImage, init, separableConv2d, type TensorData,
} from 'simdconv';
import { getRuntime } from '../dist/runtime.js';
import { randomTensor, seededRandom } from './helpers.js';

beforeAll(async () => {
  await init();
});

describe('WebAssembly memory', () => {
  it('a prepared conv run in a loop allocates nothing after its first run, on every path', () => {
    const rt = getRuntime();
    const random = seededRandom(11);
    for (const algorithm of ALGORITHMS) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        // A depthwise layer (groups = C = M) that every path can compute.
        const weight = randomTensor(random, layout === 'NCHW' ? [8, 1, 3, 3] : [3, 3, 1, 8]);
        const input = randomTensor(random, layout === 'NCHW' ? [2, 8, 30, 30] : [2, 30, 30, 8]);
        const before = rt.arena.liveBytes;
        const conv = createConv2d(weight, { layout, padding: 'same', groups: 8, bias: new Float32Array(8), algorithm });
        const first = conv.run(input);
        const liveAfterFirst = rt.arena.liveBytes;
        const memoryAfterFirst = rt.memory.buffer.byteLength;
        for (let i = 0; i < 30; i++) {
          const again = conv.run(input).data;
          expect(again.every((v, j) => Object.is(v, first.data[j])), `${algorithm} ${layout} run ${i}`).toBe(true);
        }
        expect(rt.arena.liveBytes).toBe(liveAfterFirst);
        expect(rt.memory.buffer.byteLength).toBe(memoryAfterFirst);
        conv.dispose();
        expect(rt.arena.liveBytes).toBe(before);
      }
    }
  });

  it('one-shot calls, including ones that throw, leave no live allocation behind', () => {
    const rt = getRuntime();
    const random = seededRandom(12);
    const before = rt.arena.liveBytes;
    const weight = randomTensor(random, [5, 3, 3, 3]);
    for (let i = 0; i < 200; i++) {
      const size = 3 + (i % 17);
      conv2d(randomTensor(random, [1, 3, size, size]), weight, { padding: i % 2 ? 'same' : 'valid' });
      expect(() => conv2d(randomTensor(random, [1, 4, size, size]), weight)).toThrowError(RangeError);
    }
    expect(rt.arena.liveBytes).toBe(before);
  });

  it('memory stays at the high-water mark of the largest call', () => {
    const rt = getRuntime();
    const random = seededRandom(13);
    const weight = randomTensor(random, [16, 16, 3, 3]);
    conv2d(randomTensor(random, [1, 16, 96, 96]), weight, { padding: 'same' });
    const highWater = rt.memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) conv2d(randomTensor(random, [1, 16, 8 + (i % 80), 40]), weight, { padding: 'same' });
    expect(rt.memory.buffer.byteLength).toBe(highWater);
  });

  it('every op, one-shot and create/run/dispose, in a long loop: nothing stays live, memory stays at its high-water mark', () => {
    const rt = getRuntime();
    const random = seededRandom(14);
    const pointwise = randomTensor(random, [6, 4, 1, 1]);
    // Per op: a one-shot call and a prepared form, on an input of size s.
    const ops: Array<{ name: string; once(s: number): unknown; prepared(): { run(x: TensorData): unknown; dispose(): void }; input(s: number): TensorData }> = [
      { name: 'conv2d', input: (s) => randomTensor(random, [1, 4, s, s]), once: (s) => conv2d(randomTensor(random, [1, 4, s, s]), randomTensor(random, [5, 4, 3, 3]), { padding: 'same' }), prepared: () => createConv2d(randomTensor(random, [5, 4, 3, 3]), { padding: 1 }) },
      { name: 'conv1d', input: (s) => randomTensor(random, [1, 4, s * 3]), once: (s) => conv1d(randomTensor(random, [1, 4, s * 3]), randomTensor(random, [5, 4, 3])), prepared: () => createConv1d(randomTensor(random, [5, 4, 3])) },
      { name: 'conv3d', input: (s) => randomTensor(random, [1, 4, 4, s, s]), once: (s) => conv3d(randomTensor(random, [1, 4, 4, s, s]), randomTensor(random, [5, 4, 3, 3, 3]), { padding: 'same' }), prepared: () => createConv3d(randomTensor(random, [5, 4, 3, 3, 3]), { padding: 'same' }) },
      { name: 'convTranspose2d', input: (s) => randomTensor(random, [1, 4, s, s]), once: (s) => convTranspose2d(randomTensor(random, [1, 4, s, s]), randomTensor(random, [4, 5, 4, 4]), { stride: 2, padding: 1 }), prepared: () => createConvTranspose2d(randomTensor(random, [4, 5, 3, 3]), { stride: 2, dilation: 2 }) },
      { name: 'depthwiseConv2d', input: (s) => randomTensor(random, [1, 4, s, s]), once: (s) => depthwiseConv2d(randomTensor(random, [1, 4, s, s]), randomTensor(random, [4, 1, 3, 3])), prepared: () => createDepthwiseConv2d(randomTensor(random, [8, 1, 3, 3]), { padding: 'same' }) },
      { name: 'separableConv2d', input: (s) => randomTensor(random, [1, 4, s, s]), once: (s) => separableConv2d(randomTensor(random, [1, 4, s, s]), randomTensor(random, [4, 1, 3, 3]), pointwise, { padding: 'same' }), prepared: () => createSeparableConv2d(randomTensor(random, [4, 1, 3, 3]), pointwise, { stride: 2 }) },
      { name: 'filterImage', input: (s) => randomTensor(random, [1, 4, s, s]), once: (s) => filterImage({ data: new Uint8ClampedArray(s * s * 4), width: s, height: s }, 'gaussian', { sigma: 1.5 }), prepared: () => ({ run: (x: TensorData) => filterImage({ data: new Uint8ClampedArray(x.data.length), width: x.shape[3]!, height: x.shape[2]! }, 'sobel'), dispose: () => {} }) },
    ];
    for (const op of ops) {
      const live = rt.arena.liveBytes;
      const round = () => {
        for (let i = 0; i < 40; i++) op.once(4 + (i % 29));
        for (let i = 0; i < 10; i++) {
          const conv = op.prepared();
          conv.run(op.input(4 + ((i * 7) % 29)));
          conv.run(op.input(32));
          conv.dispose();
        }
      };
      round();
      const highWater = rt.memory.buffer.byteLength;
      expect(rt.arena.liveBytes, op.name).toBe(live);
      round();
      round();
      expect(rt.arena.liveBytes, op.name).toBe(live);
      expect(rt.memory.buffer.byteLength, op.name).toBe(highWater);
    }
  });
});
