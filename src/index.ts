// simdconv: convolution in WebAssembly SIMD behind a TypeScript API.
export { info, init, terminate, type Info, type InitOptions, type Isa } from './runtime.js';
export * from './ops/registry.js';
export { keep, memory, tensor, Tensor, tidy, type MemoryInfo } from './memory/tensor.js';
export type { OutputFor, Prepared, TensorInput } from './core/prepared.js';
export { KERNEL_PRESETS, type ImageKernel, type KernelPreset } from './image/kernels.js';
export { sampleImage } from './image/sample.js';
export { convInfo, receptiveField, type ConvInfo, type ReceptiveField, type ReceptiveLayer } from './info.js';
export { ALGORITHMS } from './types.js';
export type {
  Activation, Algorithm, SeparableConv2dOptions, Conv1dOptions, Conv3dOptions, Layout3d, WeightLayout3d, ConvTranspose2dOptions, WeightLayoutTranspose, DepthwiseConv2dOptions, Layout1d, WeightLayout1d, Conv2dOptions, ExplicitPadding, Layout, Padding, TensorData, WeightLayout } from './types.js';
export type { AddOptions, AvgPool2dOptions, GlobalPool2dOptions, Pool2dOptions } from './types.js';
