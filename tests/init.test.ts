// Runs in its own module graph (vitest isolates files), so the library starts uninitialised.
import { describe, expect, it } from 'vitest';
import { conv2d, createConv2d, init } from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';

const x = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
const w = { data: new Float32Array([1, 1, 1, 1]), shape: [1, 1, 2, 2] };

describe('init', () => {
  it('conv calls before init() throw an Error that says to call init()', () => {
    expect(() => conv2d(x, w)).toThrowError(/await init\(\)/);
    expect(() => createConv2d(w)).toThrowError(/await init\(\)/);
  });

  it('the reference needs no init()', () => {
    expect(Array.from(referenceConv2d(x, w).data)).toEqual([10]);
  });

  it('is idempotent: concurrent and repeated calls share one instance', async () => {
    const first = init();
    const second = init();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await init();
    expect(Array.from(conv2d(x, w).data)).toEqual([10]);
  });
});
