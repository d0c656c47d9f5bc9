/// <reference types="node" />
// Named layers the benchmarks run: shapes of real networks (ResNet, MobileNet stems and blocks),
// an image filter, a small call-overhead case, and odd sizes that miss fast-path assumptions.

import type { ExplicitPadding } from '../types.js';

export interface LayerSpec {
  name: string;
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernel: number;
  stride: number;
  dilation: number;
  groups: number;
  padding: 'same' | 'valid' | ExplicitPadding;
}

type LayerShape = Pick<LayerSpec, 'inChannels' | 'height' | 'width' | 'outChannels' | 'kernel'> & Partial<LayerSpec>;

const layer = (name: string, spec: LayerShape): LayerSpec => ({
  name, batch: 1, stride: 1, dilation: 1, groups: 1, padding: 'same', ...spec,
});

const image1 = layer('image 1→1 3×3 @1024²', { inChannels: 1, height: 1024, width: 1024, outChannels: 1, kernel: 3 });
const stem = layer('RGB stem 3→32 3×3/2 @224²', { inChannels: 3, height: 224, width: 224, outChannels: 32, kernel: 3, stride: 2 });
const resnet = layer('3×3 64→64 @56²', { inChannels: 64, height: 56, width: 56, outChannels: 64, kernel: 3 });
const pointwise = layer('1×1 128→256 @28²', { inChannels: 128, height: 28, width: 28, outChannels: 256, kernel: 1 });
const deep = layer('3×3 256→256 @14²', { inChannels: 256, height: 14, width: 14, outChannels: 256, kernel: 3 });
const depthwise = layer('depthwise 144 3×3 @56²', { inChannels: 144, height: 56, width: 56, outChannels: 144, kernel: 3, groups: 144 });
const small = layer('small 3→16 3×3 @32²', { inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: 3 });

/** What `npm start` times against plain JS. */
export const DEFAULT_LAYERS: LayerSpec[] = [
  layer('image 1→1 3×3 @512²', { inChannels: 1, height: 512, width: 512, outChannels: 1, kernel: 3 }),
  stem, resnet, pointwise, depthwise, small,
];

/** What `npm run bench` times: the performance issue's shape classes and its odd sizes. */
export const SUITE_LAYERS: LayerSpec[] = [
  resnet, pointwise, deep,
  depthwise,
  layer('depthwise 144 3×3/2 @56²', { inChannels: 144, height: 56, width: 56, outChannels: 144, kernel: 3, stride: 2, groups: 144 }),
  layer('depthwise 144 5×5 @56²', { inChannels: 144, height: 56, width: 56, outChannels: 144, kernel: 5, groups: 144 }),
  layer('depthwise 144 5×5/2 @56²', { inChannels: 144, height: 56, width: 56, outChannels: 144, kernel: 5, stride: 2, groups: 144 }),
  image1, stem, small,
  layer('grouped 128→128 g8 3×3 @28²', { inChannels: 128, height: 28, width: 28, outChannels: 128, kernel: 3, groups: 8 }),
  layer('odd: primes 61→67 3×3 @53²', { inChannels: 61, height: 53, width: 53, outChannels: 67, kernel: 3 }),
  layer('odd: 7×7/2 stem 3→64 @224²', { inChannels: 3, height: 224, width: 224, outChannels: 64, kernel: 7, stride: 2 }),
  layer('odd: asym pad 64→64 3×3 @56²', { inChannels: 64, height: 56, width: 56, outChannels: 64, kernel: 3, padding: { top: 0, bottom: 2, left: 2, right: 0 } }),
  layer('odd: dilation 2 64→64 3×3 @56²', { inChannels: 64, height: 56, width: 56, outChannels: 64, kernel: 3, dilation: 2 }),
  layer('odd: batch 8 64→64 3×3 @28²', { inChannels: 64, height: 28, width: 28, outChannels: 64, kernel: 3, batch: 8 }),
];

/** Deterministic inputs in [−1, 1): the same numbers on every run and for every engine. */
export function randomData(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return data;
}
