// The prepared form keeps its packed weights and workspace: repeated runs neither allocate nor
// grow WebAssembly memory, and dispose / one-shot calls give every byte back.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, conv2d, createConv2d, init } from 'simdconv';
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
});
