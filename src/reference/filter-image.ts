// Plain TypeScript filterImage: per-pixel loops that round every operation to float32 in the
// order the WebAssembly kernels use (Math.fround), so both give the same bytes. The presets,
// the Gaussian weights, normalisation and centring are written here again from the README
// (the table of presets there), not taken from the fast path's src/image/.

import type { FilterOptions, ImageLike } from '../image/filter.js';
import type { ImageKernel, KernelPreset } from '../image/kernels.js';
import { oneOf, readOptions } from './semantics.js';

const f = Math.fround;

/** A kernel as rows of taps. */
type Taps = number[][];

const transposed = (taps: Taps): Taps => taps[0]!.map((_, c) => taps.map((row) => row[c]!));
const SOBEL_X: Taps = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
const EDGE_HORIZONTAL: Taps = [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]];

/** Fixed presets (README "Image filters"); box and gaussian are made per call. */
const FIXED_PRESETS: Record<string, Taps> = {
  sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
  sobelX: SOBEL_X,
  sobelY: transposed(SOBEL_X),
  laplacian: [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
  emboss: [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
  edgeHorizontal: EDGE_HORIZONTAL,
  edgeVertical: transposed(EDGE_HORIZONTAL),
  edgeDiagonal: [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
};

/** The Gaussian exp(−d²/2σ²) over d = −⌈3σ⌉…⌈3σ⌉ (at least ±1), scaled to sum to 1. */
function gaussian(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps: number[] = [];
  let total = 0;
  for (let d = -radius; d <= radius; d++) {
    const tap = Math.exp(-(d * d) / (2 * sigma * sigma));
    taps.push(tap);
    total += tap;
  }
  return taps.map((tap) => tap / total);
}

/** How a kernel is applied: one 2-D correlation, a row pass then a column pass, or the gradient magnitude of two. */
type Passes = { kind: 'full'; kernel: Taps } | { kind: 'separable'; row: number[] } | { kind: 'magnitude'; x: Taps; y: Taps };

function passesOf(kernel: unknown, o: Record<string, unknown>): Passes {
  if (typeof kernel === 'string') {
    if (kernel === 'box') {
      const size = o.size ?? 3;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new RangeError(`options.size must be a positive integer, got ${String(size)}`);
      return { kind: 'separable', row: new Array<number>(size).fill(1 / size) };
    }
    if (kernel === 'gaussian') {
      const sigma = o.sigma ?? 1;
      if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`options.sigma must be a positive number, got ${String(sigma)}`);
      return { kind: 'separable', row: gaussian(sigma) };
    }
    if (kernel === 'sobel') return { kind: 'magnitude', x: FIXED_PRESETS.sobelX!, y: FIXED_PRESETS.sobelY! };
    const taps = FIXED_PRESETS[kernel];
    if (!taps) throw new RangeError(`kernel: unknown preset '${kernel}'`);
    return { kind: 'full', kernel: taps };
  }
  let taps: Taps;
  if (Array.isArray(kernel)) {
    taps = kernel as Taps;
    if (taps.length === 0 || !taps.every((row) => Array.isArray(row) && row.length > 0 && row.length === taps[0]!.length)) {
      throw new TypeError('kernel must be a non-empty 2-D array of equal-length rows');
    }
  } else if (typeof kernel === 'object' && kernel !== null) {
    const { data, width, height } = kernel as ImageKernel;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !data || data.length !== width * height) {
      throw new TypeError('kernel { data, width, height } needs positive sizes and width × height taps');
    }
    taps = Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => data[r * width + c]!));
  } else {
    throw new TypeError(`kernel must be a 2-D array, { data, width, height } or a preset name`);
  }
  if (!taps.every((row) => row.every((tap) => typeof tap === 'number' && Number.isFinite(tap)))) throw new TypeError('kernel taps must be finite numbers');
  return { kind: 'full', kernel: taps };
}

/** Float32 taps, each divided by the taps' sum when normalising (and the sum is not 0). */
function float32Taps(taps: number[], normalize: boolean): number[] {
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((tap) => f(normalize && sum !== 0 ? tap / sum : tap));
}

function float32Kernel(taps: Taps, normalize: boolean): ImageKernel {
  return { data: float32Taps(taps.flat(), normalize), width: taps[0]!.length, height: taps.length };
}

/** The source index of padded position i along an axis of `size`, or -1 for a zero. */
function edgeIndex(i: number, size: number, edge: string): number {
  if (i >= 0 && i < size) return i;
  switch (edge) {
    case 'zero': return -1;
    case 'clamp': return i < 0 ? 0 : size - 1;
    case 'wrap': return ((i % size) + size) % size;
    default: { // reflect: d c b | a b c d | c b a
      if (size === 1) return 0;
      const period = 2 * size - 2;
      const j = ((i % period) + period) % period;
      return j < size ? j : period - j;
    }
  }
}

/** Correlation of a channels-last float image with `kernel`, 'valid' (no border). */
function correlate(src: Float32Array, height: number, width: number, channels: number, kernel: ImageKernel) {
  const outH = height - kernel.height + 1;
  const outW = width - kernel.width + 1;
  const out = new Float32Array(outH * outW * channels);
  for (let r = 0; r < outH; r++)
    for (let c = 0; c < outW; c++)
      for (let k = 0; k < channels; k++) {
        let acc = 0;
        for (let kh = 0; kh < kernel.height; kh++)
          for (let kw = 0; kw < kernel.width; kw++) {
            acc = f(acc + f(src[((r + kh) * width + c + kw) * channels + k]! * kernel.data[kh * kernel.width + kw]!));
          }
        out[(r * outW + c) * channels + k] = acc;
      }
  return { data: out, height: outH, width: outW };
}

function readImage(image: unknown): ImageLike {
  if (typeof image !== 'object' || image === null) throw new TypeError('image must be { data, width, height }');
  const { data, width, height } = image as ImageLike;
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) throw new TypeError('image.data must be a Uint8ClampedArray or Uint8Array');
  if (!Number.isSafeInteger(width) || width < 1 || !Number.isSafeInteger(height) || height < 1) throw new RangeError('image.width and image.height must be positive integers');
  if (data.length !== width * height * 4) throw new RangeError(`image.data must hold ${width} × ${height} RGBA pixels`);
  return { data, width, height };
}

export function filterImage(image: ImageLike, kernel: number[][] | ImageKernel | KernelPreset, options: FilterOptions = {}): ImageLike {
  const o = readOptions('reference.filterImage', options, ['edge', 'channels', 'normalize', 'bias', 'abs', 'sigma', 'size']);
  const { data: pixels, width, height } = readImage(image);
  const mode = oneOf('options.channels', o.channels, ['rgb', 'rgba', 'luma'] as const, 'rgb');
  const edge = oneOf('options.edge', o.edge, ['zero', 'clamp', 'reflect', 'wrap'] as const, 'clamp');
  const bias = o.bias ?? 0;
  if (typeof bias !== 'number' || !Number.isFinite(bias)) throw new TypeError('options.bias must be a finite number');
  const normalize = o.normalize === true;
  const passes = passesOf(kernel, o);
  // The 2-D kernels the passes correlate with, in order.
  const kernels = passes.kind === 'separable'
    ? [{ data: float32Taps(passes.row, normalize), width: passes.row.length, height: 1 }, { data: float32Taps(passes.row, normalize), width: 1, height: passes.row.length }]
    : passes.kind === 'magnitude' ? [float32Kernel(passes.x, normalize), float32Kernel(passes.y, normalize)] : [float32Kernel(passes.kernel, normalize)];
  const channels = mode === 'rgba' ? 4 : mode === 'luma' ? 1 : 3;
  // Centred: a kernel of k taps reads floor((k−1)/2) before its pixel and the rest after.
  const kernelH = Math.max(...kernels.map((k) => k.height));
  const kernelW = Math.max(...kernels.map((k) => k.width));
  const top = Math.floor((kernelH - 1) / 2);
  const left = Math.floor((kernelW - 1) / 2);
  const H = height + kernelH - 1;
  const W = width + kernelW - 1;
  const widened = new Float32Array(H * W * channels);
  for (let r = 0; r < H; r++) {
    const sr = edgeIndex(r - top, height, edge);
    for (let c = 0; c < W; c++) {
      const sc = sr < 0 ? -1 : edgeIndex(c - left, width, edge);
      if (sc < 0) continue; // zero
      const p = (sr * width + sc) * 4;
      const to = (r * W + c) * channels;
      if (mode === 'luma') {
        widened[to] = f(f(f(f(0.299) * pixels[p]!) + f(f(0.587) * pixels[p + 1]!)) + f(f(0.114) * pixels[p + 2]!));
      } else {
        for (let k = 0; k < channels; k++) widened[to + k] = pixels[p + k]!;
      }
    }
  }
  let first = correlate(widened, H, W, channels, kernels[0]!);
  let second: Float32Array | null = null;
  if (passes.kind === 'separable') first = correlate(first.data, first.height, first.width, channels, kernels[1]!);
  if (passes.kind === 'magnitude') second = correlate(widened, H, W, channels, kernels[1]!).data;
  const offset = f(bias);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < channels; k++) {
      let v = first.data[i * channels + k]!;
      if (second) v = f(Math.sqrt(f(f(v * v) + f(second[i * channels + k]! * second[i * channels + k]!))));
      v = f(v + offset);
      if (o.abs === true) v = Math.abs(v);
      const rounded = Math.floor(f(v + 0.5)); // half up
      const byte = rounded >= 255 ? 255 : rounded > 0 ? rounded : 0;
      if (mode === 'luma') out.fill(byte, i * 4, i * 4 + 3);
      else out[i * 4 + k] = byte;
    }
    if (mode !== 'rgba') out[i * 4 + 3] = pixels[i * 4 + 3]!;
  }
  return { data: out, width, height };
}
