/**
 * What options see of a resident tensor (the Tensor class of src/memory/tensor.ts implements it;
 * declared here so that option types need nothing above this file).
 */
export interface ResidentTensor {
  readonly shape: readonly number[];
  readonly size: number;
  readonly isDisposed: boolean;
  dataSync(): Float32Array;
  data(): Promise<Float32Array>;
  dispose(): void;
}

/**
 * A dense float32 array and its shape, owned by JavaScript (what ops take and give without
 * resident tensors). `shape` lists the dimensions in the order the layout names them.
 */
export interface TensorData {
  data: Float32Array;
  shape: readonly number[];
}

/** Activation layout: batch, channels, height, width in memory order. */
export type Layout = 'NCHW' | 'NHWC';

/**
 * Weight layout, with M output channels and C/groups input channels per filter:
 * OIHW `[M, C/groups, kH, kW]`, HWIO `[kH, kW, C/groups, M]`, OHWI `[M, kH, kW, C/groups]`.
 */
export type WeightLayout = 'OIHW' | 'HWIO' | 'OHWI';

export type Activation = 'none' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh';

/** Kernel paths `options.algorithm` can force; `'auto'` lets simdconv choose per shape. */
export const ALGORITHMS = ['auto', 'gemm', 'direct', 'depthwise', 'winograd'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * `'valid'`: no padding. `'same'`: output = ceil(input / stride), the odd extra pad at the
 * bottom/right (TensorFlow SAME, ONNX SAME_UPPER). A number pads all four sides, `[h, w]`
 * pads top/bottom by h and left/right by w.
 */
export type Padding = 'valid' | 'same' | number | readonly [number, number] | ExplicitPadding;

export interface Conv2dOptions {
  /** Activation layout of input and output. Default `'NCHW'`. */
  layout?: Layout;
  /** Default `'OIHW'` with NCHW, `'HWIO'` with NHWC. */
  weightLayout?: WeightLayout;
  /** Number, or `[h, w]`. Default 1. */
  stride?: number | readonly [number, number];
  /** Number, or `[h, w]`. Default 1. */
  dilation?: number | readonly [number, number];
  /** Default `'valid'`. */
  padding?: Padding;
  /** Channel groups; input and output channels must both be divisible by it. Default 1. */
  groups?: number;
  /** One value per output channel. */
  bias?: Float32Array | ResidentTensor;
  /**
   * Applied in the kernel's output pass. Default `'none'`. `'leakyRelu'`: x ≥ 0 ? x : alpha·x;
   * `'sigmoid'`: 1 / (1 + e^−x); `'tanh'`.
   */
  activation?: Activation;
  /**
   * A tensor of the output's shape added after the bias and before the activation: ResNet's
   * relu(conv(x) + shortcut) in one call. A prepared conv takes it per run, `run(x, { residual })`;
   * given here it is the residual of every run that passes none.
   */
  residual?: ResidentTensor | TensorData;
  /** Slope of `'leakyRelu'` below zero; only with that activation. Default 0.01 (ONNX, PyTorch). */
  alpha?: number;
  /**
   * `'auto'` (default) picks the fastest path for the shape; a named path forces it (for tests
   * and comparisons) and throws a RangeError when that path cannot compute the shape.
   */
  algorithm?: Algorithm;
}

/** conv1d layouts: input `[N, C, W]` (`'NCW'`) or `[N, W, C]` (`'NWC'`). */
export type Layout1d = 'NCW' | 'NWC';
/** conv1d weights: `'OIW'` `[M, C/groups, kW]` or `'WIO'` `[kW, C/groups, M]`. */
export type WeightLayout1d = 'OIW' | 'WIO';

export interface Conv1dOptions extends Pick<Conv2dOptions, 'groups' | 'bias' | 'activation' | 'alpha' | 'algorithm'> {
  /** Default `'NCW'`. */
  layout?: Layout1d;
  /** Default `'OIW'` with NCW, `'WIO'` with NWC. */
  weightLayout?: WeightLayout1d;
  stride?: number;
  dilation?: number;
  /** `'valid'` (default), `'same'`, a number for both ends, or `[left, right]`. */
  padding?: 'valid' | 'same' | number | readonly [number, number];
}

/**
 * depthwiseConv2d: conv2d's options without `groups` (it is C). Weights `[C·multiplier, 1, kH, kW]`
 * (`'OIHW'`, default with NCHW) or `[kH, kW, C, multiplier]` (`'HWIO'`, default with NHWC).
 */
export type DepthwiseConv2dOptions = Omit<Conv2dOptions, 'groups' | 'weightLayout' | 'residual'> & { weightLayout?: 'OIHW' | 'HWIO' };

/**
 * convTranspose2d weights: `'IOHW'` `[C, M/groups, kH, kW]` (ONNX, PyTorch; default with NCHW) or
 * `'HWOI'` `[kH, kW, M, C]` (TensorFlow; default with NHWC; groups 1).
 */
export type WeightLayoutTranspose = 'IOHW' | 'HWOI';

export interface ConvTranspose2dOptions extends Omit<Conv2dOptions, 'weightLayout' | 'residual'> {
  weightLayout?: WeightLayoutTranspose;
  /**
   * Rows and columns removed from the full output, as `Conv2dOptions.padding`. `'same'`: the output
   * is input · stride (the transpose of conv2d's `'same'`, TensorFlow's conv2d_transpose SAME).
   */
  padding?: Padding;
  /** Extra rows/columns at the bottom/right, each < max(stride, dilation). Number or `[h, w]`. */
  outputPadding?: number | readonly [number, number];
}

/** conv3d layouts: input `[N, C, D, H, W]` (`'NCDHW'`) or `[N, D, H, W, C]` (`'NDHWC'`). */
export type Layout3d = 'NCDHW' | 'NDHWC';
/** conv3d weights: `'OIDHW'` `[M, C/groups, kD, kH, kW]` or `'DHWIO'` `[kD, kH, kW, C/groups, M]`. */
export type WeightLayout3d = 'OIDHW' | 'DHWIO';

export interface Conv3dOptions extends Pick<Conv2dOptions, 'groups' | 'bias' | 'activation' | 'alpha' | 'algorithm'> {
  /** Default `'NCDHW'`. */
  layout?: Layout3d;
  /** Default `'OIDHW'` with NCDHW, `'DHWIO'` with NDHWC. */
  weightLayout?: WeightLayout3d;
  /** Number or `[d, h, w]`. */
  stride?: number | readonly [number, number, number];
  dilation?: number | readonly [number, number, number];
  /** `'valid'`, `'same'`, a number, `[d, h, w]`, or `{ front, back, top, bottom, left, right }`. */
  padding?: 'valid' | 'same' | number | readonly [number, number, number]
    | { front: number; back: number; top: number; bottom: number; left: number; right: number };
}

/**
 * separableConv2d: `stride`, `padding` and `dilation` of the depthwise step; `bias`,
 * `activation` and `alpha` of the result; `weightLayout` ('OIHW' or 'HWIO') of both weights.
 */
export type SeparableConv2dOptions = Omit<Conv2dOptions, 'groups' | 'weightLayout' | 'algorithm' | 'residual'> & { weightLayout?: 'OIHW' | 'HWIO' };

/**
 * maxPool2d / avgPool2d (ONNX MaxPool / AveragePool, opset 19). Output size per axis:
 * floor((in + pads − dilation·(kernel − 1) − 1) / stride) + 1, or with `ceilMode` the ceiling,
 * minus a last window that would start in the end padding (ONNX, PyTorch).
 */
export interface Pool2dOptions {
  /** Window size: a number or `[h, w]`. Required. */
  kernel: number | readonly [number, number];
  /** Number or `[h, w]`. Default 1, as ONNX (PyTorch and TF default to the kernel size). */
  stride?: number | readonly [number, number];
  /** Number or `[h, w]`. Default 1. */
  dilation?: number | readonly [number, number];
  /** The forms conv2d takes; default `'valid'`. Padded positions never win a max. */
  padding?: Padding;
  /** Default `'NCHW'`. */
  layout?: Layout;
  /** Ceiling instead of floor in the output size. Default false. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /**
   * Divide by every window position inside input + explicit padding (true) or by the real input
   * positions only (false, default). Positions past the explicit padding (ceilMode) never count.
   */
  countIncludePad?: boolean;
}

export interface GlobalPool2dOptions {
  /** Default `'NCHW'`; the output keeps the spatial dims: [N, C, 1, 1] or [N, 1, 1, C]. */
  layout?: Layout;
}

export interface AddOptions {
  /** Applied after the sum, as conv2d's fused activation. Default `'none'`. */
  activation?: Activation;
  /** Slope of `'leakyRelu'` below zero; only with that activation. Default 0.01. */
  alpha?: number;
}
