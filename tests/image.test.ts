// filterImage against hand-worked pixels (the seed's kernel, edge modes) and, byte for byte,
// against its float32-mirroring reference over every preset, edge mode and channel mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { filterImage, init, KERNEL_PRESETS, sampleImage } from 'simdconv';
import { filterImage as referenceFilterImage } from 'simdconv/reference';
import { seededRandom } from './helpers.js';

beforeAll(async () => {
  await init();
});

/** A gray RGBA image from rows of values (R = G = B), alpha 200. */
function gray(rows: number[][]) {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8ClampedArray(width * height * 4);
  rows.flat().forEach((v, i) => data.set([v, v, v, 200], i * 4));
  return { data, width, height };
}

const channel = (image: { data: Uint8ClampedArray }, k: number) => Array.from(image.data.filter((_, i) => i % 4 === k));

describe('filterImage', () => {
  it("the seed's 3×3 kernel on its 5×5 image: the centre 3×3 is [[12,12,17],[10,17,19],[9,6,14]], alpha kept", () => {
    const image = gray([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]);
    const out = filterImage(image, [[0, 1, 2], [2, 2, 0], [0, 1, 2]], { edge: 'zero' });
    for (const k of [0, 1, 2]) {
      const values = channel(out, k);
      const centre = [1, 2, 3].flatMap((r) => [1, 2, 3].map((c) => values[r * 5 + c]));
      expect(centre).toEqual([12, 12, 17, 10, 17, 19, 9, 6, 14]);
    }
    expect(channel(out, 3)).toEqual(new Array(25).fill(200));
  });

  it('edge modes pick the right pixel outside the image', () => {
    const image = gray([[10, 20, 30, 40]]);
    const left = [[1, 0, 0]]; // output(c) = input(c − 1)
    const right = [[0, 0, 1]]; // output(c) = input(c + 1)
    const expectations: Array<[string, number[], number[]]> = [
      ['zero', [0, 10, 20, 30], [20, 30, 40, 0]],
      ['clamp', [10, 10, 20, 30], [20, 30, 40, 40]],
      ['reflect', [20, 10, 20, 30], [20, 30, 40, 30]],
      ['wrap', [40, 10, 20, 30], [20, 30, 40, 10]],
    ];
    for (const [edge, fromLeft, fromRight] of expectations) {
      expect(channel(filterImage(image, left, { edge: edge as never }), 0), edge).toEqual(fromLeft);
      expect(channel(filterImage(image, right, { edge: edge as never }), 0), edge).toEqual(fromRight);
    }
  });

  it('sobel is the gradient magnitude; abs, bias, rounding and clamping', () => {
    // A vertical step 0 | 100: sobelX responds 4·100 = 400 next to the step (clamped to 255).
    const step = gray([[0, 0, 100, 100], [0, 0, 100, 100], [0, 0, 100, 100]]);
    expect(channel(filterImage(step, 'sobelX'), 0).slice(4, 8)).toEqual([0, 255, 255, 0]);
    expect(channel(filterImage(step, 'sobel'), 0).slice(4, 8)).toEqual([0, 255, 255, 0]);
    const small = gray([[0, 0, 10, 10]]);
    // Left neighbour minus right neighbour: negative at the step; abs flips it; bias 0.5 rounds up.
    expect(channel(filterImage(small, [[1, 0, -1]]), 0)).toEqual([0, 0, 0, 0]);
    expect(channel(filterImage(small, [[1, 0, -1]], { abs: true }), 0)).toEqual([0, 10, 10, 0]);
    expect(channel(filterImage(small, [[0.25, 0, 0]], { bias: 0.5 }), 0)).toEqual([1, 1, 1, 3]);
  });

  it('matches the reference byte for byte: every preset and user kernels × edge modes × channel modes × options', () => {
    const random = seededRandom(4242);
    let cases = 0;
    for (const [width, height] of [[1, 1], [5, 3], [19, 11], [40, 23]] as const) {
      const image = { data: Uint8ClampedArray.from({ length: width * height * 4 }, () => Math.floor(random() * 256)), width, height };
      const kernels = [...KERNEL_PRESETS, [[0, 1, 2], [2, 2, 0], [0, 1, 2]], [[1, 2], [3, 4], [5, 6]], { data: [0.1, -0.2, 0.3, 0.05, 0.5], width: 5, height: 1 }];
      for (const kernel of kernels) {
        for (const edge of ['zero', 'clamp', 'reflect', 'wrap'] as const) {
          for (const channels of ['rgb', 'rgba', 'luma'] as const) {
            const options = { edge, channels, sigma: 0.5 + random() * 2, size: 1 + Math.floor(random() * 5), normalize: random() < 0.5, bias: Math.floor(random() * 20) - 10, abs: random() < 0.5 };
            const actual = filterImage(image, kernel as never, options);
            const expected = referenceFilterImage(image, kernel as never, options);
            expect(actual.width).toBe(width);
            expect(actual.data.length).toBe(expected.data.length);
            let first = -1;
            for (let i = 0; i < expected.data.length && first < 0; i++) if (actual.data[i] !== expected.data[i]) first = i;
            expect(first, `${width}×${height} ${JSON.stringify(kernel)} ${JSON.stringify(options)}: byte ${first} is ${actual.data[first]}, reference ${expected.data[first]}`).toBe(-1);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(4 * 14 * 4 * 3);
  });

  it('matches the reference byte for byte on images of several bands (rows split at band edges)', () => {
    // src/image/filter.ts filters 128 rows at a time: 300 rows are three bands, the last partial.
    const random = seededRandom(4343);
    const [width, height] = [75, 300];
    const image = { data: Uint8ClampedArray.from({ length: width * height * 4 }, () => Math.floor(random() * 256)), width, height };
    const jobs = [
      { kernel: 'gaussian', options: { sigma: 2.3, edge: 'reflect' } },
      { kernel: 'box', options: { size: 4, edge: 'wrap', channels: 'rgba' } },
      { kernel: 'sharpen', options: { edge: 'clamp' } },
      { kernel: 'sobel', options: { edge: 'zero', channels: 'luma' } },
      { kernel: [[1, 2, 1, 0, -1], [0, 1, 0, -2, 1]], options: { edge: 'reflect', bias: 3, abs: true } },
    ] as const;
    for (const job of jobs) {
      const actual = filterImage(image, job.kernel as never, job.options as never);
      const expected = referenceFilterImage(image, job.kernel as never, job.options as never);
      let first = -1;
      for (let i = 0; i < expected.data.length && first < 0; i++) if (actual.data[i] !== expected.data[i]) first = i;
      expect(first, `${JSON.stringify(job)}: byte ${first} (row ${Math.floor(first / 4 / width)}) is ${actual.data[first]}, reference ${expected.data[first]}`).toBe(-1);
    }
  });

  it('saturates like the reference when float32 overflows: +Infinity to 255, -Infinity and NaN to 0', () => {
    const image = { data: Uint8ClampedArray.from({ length: 9 * 4 * 4 }, (_, i) => 1 + ((i * 37) % 255)), width: 9, height: 4 };
    const cases = [[[[3e38, 3e38]], 255], [[[-3e38, -3e38]], 0], [[[3e38, -3e38, 3e38]], 0]] as const;
    for (const [kernel, byte] of cases) {
      const actual = filterImage(image, kernel as unknown as number[][], { edge: 'zero' });
      expect(Array.from(actual.data), JSON.stringify(kernel)).toEqual(Array.from(referenceFilterImage(image, kernel as unknown as number[][], { edge: 'zero' }).data));
      expect(actual.data[4 * 4 + 1], JSON.stringify(kernel)).toBe(byte); // an interior pixel's green
    }
  });

  it('rejects bad images, kernels and options with the argument named', () => {
    const image = gray([[1, 2], [3, 4]]);
    expect(() => filterImage({ data: new Float32Array(16), width: 2, height: 2 } as never, 'box')).toThrowError(/image\.data must be a Uint8ClampedArray or Uint8Array/);
    expect(() => filterImage({ ...image, width: 3 }, 'box')).toThrowError(/image\.data has 16 bytes but 3 × 2 RGBA needs 24/);
    expect(() => filterImage(image, 'blur' as never)).toThrowError(/kernel must be .* one of 'box', 'gaussian'/);
    expect(() => filterImage(image, [[1, 2], [3]])).toThrowError(/equal-length rows/);
    expect(() => filterImage(image, 'gaussian', { sigma: 0 })).toThrowError(/options\.sigma must be a positive number/);
    expect(() => filterImage(image, 'box', { edges: 'clamp' } as never)).toThrowError(/unknown option 'edges'; did you mean 'edge'\?/);
    expect(() => filterImage(image, 'box', { edge: 'mirror' as never })).toThrowError(/options\.edge must be one of 'zero', 'clamp', 'reflect', 'wrap'/);
  });

  it('the embedded sample image is drawn the same every time, opaque, 640×400 by default', () => {
    const a = sampleImage();
    const b = sampleImage();
    expect([a.width, a.height, a.data.length]).toEqual([640, 400, 640 * 400 * 4]);
    expect(a.data.every((v, i) => v === b.data[i])).toBe(true);
    expect(a.data.filter((_, i) => i % 4 === 3).every((alpha) => alpha === 255)).toBe(true);
    expect(sampleImage(16, 9).data.length).toBe(16 * 9 * 4);
  });
});
