// `simdconv/reference`: plain TypeScript implementations with the same signatures as the
// WebAssembly API. Needs no init().
export { conv2d } from './conv2d.js';
export type { Conv2dOptions, Tensor } from '../types.js';
