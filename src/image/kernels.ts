// Image kernels: the named presets, and user kernels in either accepted form, resolved to what
// filterImage runs: one 2-D kernel, two 1-D passes (separable), or two kernels whose gradient
// magnitude is taken (sobel).

export type KernelPreset =
  | 'box' | 'gaussian' | 'sharpen' | 'sobelX' | 'sobelY' | 'sobel' | 'laplacian' | 'emboss'
  | 'edgeHorizontal' | 'edgeVertical' | 'edgeDiagonal';

export const KERNEL_PRESETS: readonly KernelPreset[] = [
  'box', 'gaussian', 'sharpen', 'sobelX', 'sobelY', 'sobel', 'laplacian', 'emboss', 'edgeHorizontal', 'edgeVertical', 'edgeDiagonal',
];

/** A 2-D kernel: `width × height` weights, row by row. */
export interface ImageKernel {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

export type ResolvedKernel =
  | { kind: 'full'; kernel: ImageKernel }
  | { kind: 'separable'; row: number[]; column: number[] }
  | { kind: 'magnitude'; x: ImageKernel; y: ImageKernel };

const grid = (rows: number[][]): ImageKernel => ({ data: rows.flat(), width: rows[0]!.length, height: rows.length });
const transpose = (k: ImageKernel): ImageKernel => {
  const data: number[] = [];
  for (let c = 0; c < k.width; c++) for (let r = 0; r < k.height; r++) data.push(k.data[r * k.width + c]!);
  return { data, width: k.height, height: k.width };
};

const SOBEL_X = grid([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]);
const EDGE_HORIZONTAL = grid([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]);

/** 1-D Gaussian weights for `sigma`, radius ceil(3σ), summing to 1. */
export function gaussianWeights(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

export interface PresetOptions {
  /** Gaussian standard deviation in pixels. Default 1. */
  sigma?: number;
  /** Box size (odd or even, ≥ 1). Default 3. */
  size?: number;
}

export function resolveKernel(kernel: unknown, options: PresetOptions): ResolvedKernel {
  if (typeof kernel === 'string') {
    switch (kernel as KernelPreset) {
      case 'box': {
        const size = options.size ?? 3;
        if (!Number.isInteger(size) || size < 1) throw new RangeError(`options.size must be a positive integer, got ${size}`);
        const weights = new Array<number>(size).fill(1 / size);
        return { kind: 'separable', row: weights, column: weights };
      }
      case 'gaussian': {
        const sigma = options.sigma ?? 1;
        if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) {
          throw new RangeError(`options.sigma must be a positive number, got ${sigma}`);
        }
        const weights = gaussianWeights(sigma);
        return { kind: 'separable', row: weights, column: weights };
      }
      case 'sharpen': return { kind: 'full', kernel: grid([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) };
      case 'sobelX': return { kind: 'full', kernel: SOBEL_X };
      case 'sobelY': return { kind: 'full', kernel: transpose(SOBEL_X) };
      case 'sobel': return { kind: 'magnitude', x: SOBEL_X, y: transpose(SOBEL_X) };
      case 'laplacian': return { kind: 'full', kernel: grid([[0, 1, 0], [1, -4, 1], [0, 1, 0]]) };
      case 'emboss': return { kind: 'full', kernel: grid([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]) };
      case 'edgeHorizontal': return { kind: 'full', kernel: EDGE_HORIZONTAL };
      case 'edgeVertical': return { kind: 'full', kernel: transpose(EDGE_HORIZONTAL) };
      case 'edgeDiagonal': return { kind: 'full', kernel: grid([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]]) };
      default:
        throw new RangeError(`kernel must be a 2-D number array, { data, width, height } or one of ${KERNEL_PRESETS.map((p) => `'${p}'`).join(', ')}; got '${kernel}'`);
    }
  }
  if (Array.isArray(kernel)) {
    const rows = kernel as unknown[];
    if (rows.length === 0 || !rows.every((row) => Array.isArray(row) && row.length === (rows[0] as unknown[]).length && row.length > 0)) {
      throw new TypeError('kernel as an array must be a non-empty 2-D array of equal-length rows of numbers');
    }
    const k = grid(rows as number[][]);
    checkWeights(k);
    return { kind: 'full', kernel: k };
  }
  if (typeof kernel === 'object' && kernel !== null) {
    const k = kernel as ImageKernel;
    if (!Number.isInteger(k.width) || !Number.isInteger(k.height) || k.width < 1 || k.height < 1 || !k.data || k.data.length !== k.width * k.height) {
      throw new TypeError(`kernel { data, width, height } needs positive integer sizes and width × height weights`);
    }
    checkWeights(k);
    return { kind: 'full', kernel: k };
  }
  throw new TypeError(`kernel must be a 2-D number array, { data, width, height } or a preset name, got ${typeof kernel}`);
}

function checkWeights(k: ImageKernel): void {
  for (let i = 0; i < k.data.length; i++) {
    if (typeof k.data[i] !== 'number' || !Number.isFinite(k.data[i])) throw new TypeError(`kernel weight ${i} must be a finite number, got ${k.data[i]}`);
  }
}
