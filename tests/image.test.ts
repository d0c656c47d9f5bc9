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

/** The hand-worked tests run on the fast path and on the reference alike. */
const FILTERS = [['simdconv', filterImage], ['simdconv/reference', referenceFilterImage]] as const;

const channel = (image: { data: Uint8ClampedArray | Uint8Array }, k: number) => Array.from(image.data).filter((_, i) => i % 4 === k);

/** A size×size gray image, 0 except `value` at the centre pixel; alpha 255. */
function impulse(size: number, value: number) {
  const rows = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  rows[size >> 1]![size >> 1] = value;
  const image = gray(rows);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  return image;
}

/**
 * What a correlation does to an impulse `value` at (r, r) with the edge 'zero': output (y, x) =
 * bias + value · k[r − y + top][r − x + left] (the kernel flipped about the impulse), where
 * top / left are the pads before the image: ⌊(k − 1) / 2⌋ (the extra tap of an even kernel after the centre).
 */
function impulseResponse(size: number, k: number[][], value: number, bias: number): number[] {
  const r = size >> 1;
  const [top, left] = [Math.floor((k.length - 1) / 2), Math.floor((k[0]!.length - 1) / 2)];
  const out: number[] = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out.push(bias + value * (k[r - y + top]?.[r - x + left] ?? 0));
  return out;
}

/** Every R, G and B byte within rounding (half a level) of the exact response, alpha kept. */
function expectResponse(image: { data: Uint8ClampedArray | Uint8Array }, expected: number[], label: string) {
  for (const k of [0, 1, 2]) {
    channel(image as { data: Uint8ClampedArray }, k).forEach((byte, i) => {
      const exact = Math.min(255, Math.max(0, expected[i]!));
      // 1e-3: float32 weights may put an exact x.5 either side.
      expect(Math.abs(byte - exact), `${label}: pixel ${i} (row ${Math.floor(i / Math.sqrt(expected.length))}) channel ${k} is ${byte}, exact ${exact}`).toBeLessThanOrEqual(0.5 + 1e-3);
    });
  }
  expect(channel(image as { data: Uint8ClampedArray }, 3).every((alpha) => alpha === 255), `${label}: alpha`).toBe(true);
}

for (const [implementation, filterImage] of FILTERS) {
  describe(`${implementation}: presets: the impulse response of each is its kernel, flipped (hand-written kernels)`, () => {
    const SIZE = 9;
    const root2 = Math.SQRT2;
    // sigma 1: radius ⌈3σ⌉ = 3, weights exp(−i²/2σ²) normalised to sum 1, applied to rows and columns.
    const g = [-3, -2, -1, 0, 1, 2, 3].map((i) => Math.exp(-(i * i) / 2));
    const gSum = g.reduce((a, b) => a + b, 0);
    const gaussian = g.map((a) => g.map((b) => (a * b) / (gSum * gSum)));
    const third = 1 / 3;
    // [preset, options, kernel as written in the README / any textbook, impulse value, bias]
    const presets: Array<[string, object, number[][], number, number]> = [
      ['sharpen', {}, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 20, 128],
      ['sobelX', {}, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 20, 128],
      ['sobelY', {}, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 20, 128],
      // The gradient magnitude √(sobelX² + sobelY²) tap by tap.
      ['sobel', {}, [[root2, 2, root2], [2, 0, 2], [root2, 2, root2]], 20, 0],
      ['laplacian', {}, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], 20, 128],
      ['emboss', {}, [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 20, 128],
      ['edgeHorizontal', {}, [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], 20, 128],
      ['edgeVertical', {}, [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], 20, 128],
      ['edgeDiagonal', {}, [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]], 20, 128],
      ['box', {}, [[third, third, third], [third, third, third], [third, third, third]].map((row) => row.map((w) => w * third)), 90, 0],
      // Even: the extra tap after the centre, so the impulse spreads up and left.
      ['box', { size: 2 }, [[0.25, 0.25], [0.25, 0.25]], 100, 0],
      ['box', { size: 4 }, Array.from({ length: 4 }, () => new Array(4).fill(1 / 16)), 160, 0],
      ['gaussian', {}, gaussian, 255, 0],
    ];

    it('lists every preset', () => {
      expect([...new Set(presets.map(([name]) => name))].sort()).toEqual([...KERNEL_PRESETS].sort());
    });
    for (const [name, options, kernel, value, bias] of presets) {
      it(`${name} ${JSON.stringify(options)}`, () => {
        const out = filterImage(impulse(SIZE, value), name as never, { ...options, edge: 'zero', bias });
        expectResponse(out, impulseResponse(SIZE, kernel, value, bias), name);
      });
    }
  });
}

for (const [implementation, filterImage] of FILTERS) {
  describe(`${implementation}: even-size kernels: the extra tap goes after the centre (pads ⌊(k − 1)/2⌋ before, the rest after)`, () => {
    it('2×2: [[1, 0], [0, 0]] leaves a bright pixel in place, [[0, 0], [0, 1]] moves it up and left', () => {
      // Pads top 0, left 0: output (y, x) = Σ k[i][j]·input(y + i, x + j).
      const image = impulse(5, 100);
      const at = (row: number, col: number) => Array.from({ length: 25 }, (_, i) => (i === row * 5 + col ? 100 : 0));
      expect(channel(filterImage(image, [[1, 0], [0, 0]], { edge: 'zero' }), 0)).toEqual(at(2, 2));
      expect(channel(filterImage(image, [[0, 0], [0, 1]], { edge: 'zero' }), 0)).toEqual(at(1, 1));
    });

    it('4×1 and 1×4: one tap before the centre, two after, so the response spans rows (columns) 1–4 around an impulse at 3', () => {
      // Pads 1 before, 2 after: output(y) = Σ_i k[i]·input(y − 1 + i); impulse 10 at 3 → rows 4, 3, 2, 1 get k[0], k[1], k[2], k[3].
      const image = impulse(7, 10);
      const expected = [0, 40, 30, 20, 10, 0, 0];
      const column = channel(filterImage(image, [[1], [2], [3], [4]], { edge: 'zero' }), 0).filter((_, i) => i % 7 === 3);
      const row = channel(filterImage(image, [[1, 2, 3, 4]], { edge: 'zero' }), 0).slice(21, 28);
      expect(column).toEqual(expected);
      expect(row).toEqual(expected);
    });
  });
}

describe('Uint8Array images', () => {
  it('give the same bytes as Uint8ClampedArray ones, and as the reference', () => {
    const random = seededRandom(4444);
    const [width, height] = [23, 17];
    const bytes = Uint8Array.from({ length: width * height * 4 }, () => Math.floor(random() * 256));
    const plain = { data: bytes, width, height };
    const clamped = { data: new Uint8ClampedArray(bytes), width, height };
    for (const [kernel, options] of [['sharpen', { edge: 'reflect' }], ['gaussian', { sigma: 1.5, channels: 'rgba' }], ['sobel', { channels: 'luma' }], [[[1, -2], [3, 0.5]], { edge: 'wrap', bias: 4 }]] as const) {
      const label = JSON.stringify([kernel, options]);
      const actual = filterImage(plain, kernel as never, options as never);
      expect(Array.from(actual.data), label).toEqual(Array.from(filterImage(clamped, kernel as never, options as never).data));
      expect(Array.from(actual.data), label).toEqual(Array.from(referenceFilterImage(plain, kernel as never, options as never).data));
    }
    expect(Array.from(bytes)).toEqual(Array.from(clamped.data)); // the input is not modified
  });
});

for (const [implementation, filterImage] of FILTERS) {
  describe(`${implementation}: hand-worked pixels`, () => {
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
  });
}

describe('filterImage', () => {
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
