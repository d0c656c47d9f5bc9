// `simdconv/reference`: plain TypeScript implementations with the same signatures as the
// WebAssembly API. Needs no init(). Independent of the fast path: it imports nothing from src/
// but types, and reads the options with its own code (./semantics.ts).
export { conv2d } from './conv2d.js';
export { conv1d } from './conv1d.js';
export { convTranspose2d } from './conv-transpose2d.js';
export { conv3d } from './conv3d.js';
export { filterImage } from './filter-image.js';
export type { Conv1dOptions, Conv2dOptions, Conv3dOptions, ConvTranspose2dOptions, TensorData } from '../types.js';
export { add } from './add.js';
export { avgPool2d, globalAvgPool2d, maxPool2d } from './pool2d.js';
export type { AddOptions, AvgPool2dOptions, GlobalPool2dOptions, Pool2dOptions } from '../types.js';
