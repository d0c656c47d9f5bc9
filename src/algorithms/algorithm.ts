import type { KernelRuntime } from '../kernels.js';
import type { PaddedImage } from './padded-input.js';
import type { Conv2dFilter, Conv2dGeometry } from '../shape.js';
import type { Algorithm } from '../types.js';

/** Where a call's tensors live in linear memory (byte offsets). */
export interface ConvBuffers {
  input: number;
  output: number;
  /** Bias padded with zeros to a multiple of 8 floats past M, or 0 for none. */
  bias: number;
  scratch: number;
  /**
   * Output rows this many pixels apart instead of outW (paths with `writesRowPitch` only): a
   * depthwise step writes the zero-bordered layout the next step would otherwise copy into.
   */
  outputRowPixels?: number;
  /** The input already is in the path's zero-bordered layout (ConvAlgorithm.paddedInput), per batch image. */
  inputPadded?: boolean;
  /**
   * Only output rows [begin, end) of every image (paths with `computesRowBands` only): a fused
   * op runs its steps band by band so the intermediate rows are read back while still in cache.
   */
  rows?: RowBand;
  /**
   * Only output channels [begin, end) (paths with `computesFilterBands` only, one group; begin a
   * multiple of 8): a small image splits over threads by filters, where row bands would be few.
   */
  filters?: RowBand;
}

export interface RowBand {
  begin: number;
  end: number;
}

/**
 * One way of computing a convolution. Weights are packed once per prepared conv and algorithm;
 * scratch is sized per input shape and handed in by the caller, so kernels keep no state.
 */
export interface ConvAlgorithm {
  readonly name: Exclude<Algorithm, 'auto'>;
  /** Honours ConvBuffers.outputRowPixels. */
  readonly writesRowPitch?: boolean;
  /**
   * The zero-bordered layout this path reads its input from (batch images `bytes` apart), which a
   * caller may write directly and pass with ConvBuffers.inputPadded; null (or absent) when the
   * path reads the input as it is.
   */
  paddedInput?(geometry: Conv2dGeometry): PaddedImage | null;
  /**
   * The path reads an input in its own layout where it lies, masking the borders itself, at the
   * speed of the zero-bordered one: a `{ data, shape }` input then goes in with one bulk copy
   * instead of being written row by row into `paddedInput`'s layout.
   */
  readsInputInPlace?(geometry: Conv2dGeometry): boolean;
  /** Honours ConvBuffers.rows. */
  readonly computesRowBands?: boolean;
  /** Honours ConvBuffers.filters. */
  readonly computesFilterBands?: boolean;
  /** Row bands must begin at multiples of this (default 1) to compute what one call would. */
  bandAlign?(geometry: Conv2dGeometry): number;
  /**
   * Mixes inputs before multiplying (Winograd's transforms), so one NaN or ±Infinity input
   * would reach a whole tile of outputs: inputs that are not all finite go to the GEMM.
   */
  readonly spreadsNonFinite?: boolean;
  /**
   * Time per multiply-add relative to the dense paths (default 1), for the pool's threshold
   * (init's parallelThreshold counts dense-equivalent multiply-adds).
   */
  readonly costPerMultiplyAdd?: number;
  /** Why this path cannot compute the geometry, or null when it can. */
  unsupported(geometry: Conv2dGeometry): string | null;
  /** Bytes of packed weights for this filter. */
  packedWeightBytes(filter: Conv2dFilter): number;
  /** Packs weights from `source` (the user's weights, copied into memory as given) to `packed`. */
  packWeights(rt: KernelRuntime, filter: Conv2dFilter, source: number, packed: number): void;
  /** Bytes of scratch one call with this geometry needs. */
  scratchBytes(geometry: Conv2dGeometry): number;
  /** Runs on the main thread or on a pool worker (which has no arena: kernels and memory only). */
  run(rt: KernelRuntime, geometry: Conv2dGeometry, packedWeights: number, buffers: ConvBuffers): void;
}

/** Kernel activation codes (assembly/activation.ts). */
export const ACTIVATION_CODES = { none: 0, relu: 1, relu6: 2, leakyRelu: 3, sigmoid: 4, tanh: 5 } as const;
