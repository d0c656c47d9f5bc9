// simdconv: convolution in WebAssembly SIMD behind a TypeScript API.
export { info, init, terminate, type Info, type InitOptions } from './runtime.js';
export { conv2d, conv2dAsync, createConv2d, type Conv2d } from './conv2d.js';
export { conv1d, conv1dAsync, createConv1d, type Conv1d } from './conv1d.js';
export { depthwiseConv2d, depthwiseConv2dAsync, createDepthwiseConv2d } from './depthwise-conv2d.js';
export { convTranspose2d, convTranspose2dAsync, createConvTranspose2d } from './conv-transpose2d.js';
export { conv3d, conv3dAsync, createConv3d, type Conv3d } from './conv3d.js';
export { separableConv2d, separableConv2dAsync, createSeparableConv2d } from './separable-conv2d.js';
export { filterImage, filterImageAsync, type ChannelMode, type EdgeMode, type FilterOptions, type ImageLike } from './image/filter.js';
export { KERNEL_PRESETS, type ImageKernel, type KernelPreset } from './image/kernels.js';
export { sampleImage } from './image/sample.js';
export { convInfo, receptiveField, type ConvInfo, type ReceptiveField, type ReceptiveLayer } from './info.js';
export { ALGORITHMS } from './types.js';
export type {
  Activation, Algorithm, SeparableConv2dOptions, Conv1dOptions, Conv3dOptions, Layout3d, WeightLayout3d, ConvTranspose2dOptions, WeightLayoutTranspose, DepthwiseConv2dOptions, Layout1d, WeightLayout1d, Conv2dOptions, ExplicitPadding, Layout, Padding, Tensor, WeightLayout } from './types.js';
export { add, addAsync } from './ops/add.js';
export { avgPool2d, avgPool2dAsync, globalAvgPool2d, globalAvgPool2dAsync, maxPool2d, maxPool2dAsync } from './ops/pool2d.js';
export type { AddOptions, AvgPool2dOptions, GlobalPool2dOptions, Pool2dOptions } from './types.js';
