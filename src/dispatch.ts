// The one place that decides which algorithm computes a convolution. Today every shape runs the
// packed GEMM path; faster specialised paths register here as they arrive.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { gemmConv } from './algorithms/gemm.js';
import type { Conv2dGeometry } from './shape.js';

export function chooseConv2dAlgorithm(_geometry: Conv2dGeometry): ConvAlgorithm {
  return gemmConv;
}
