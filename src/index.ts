// simdconv: convolution in WebAssembly SIMD behind a TypeScript API.
export { init } from './runtime.js';
export { conv2d, createConv2d, type Conv2d } from './conv2d.js';
export { ALGORITHMS } from './types.js';
export type { Activation, Algorithm, Conv2dOptions, ExplicitPadding, Layout, Padding, Tensor, WeightLayout } from './types.js';
