// The one list of public ops. index.ts exports everything here; the tests check that their op
// tables cover OPS, and the bench reads it. Adding an op: its file in src/ops/, an export line
// and an OPS entry below.

import { conv1d, conv1dAsync, createConv1d } from './conv1d.js';
import { conv2d, conv2dAsync, createConv2d } from './conv2d.js';
import { conv3d, conv3dAsync, createConv3d } from './conv3d.js';
import { convTranspose2d, convTranspose2dAsync, createConvTranspose2d } from './conv-transpose2d.js';
import { createDepthwiseConv2d, depthwiseConv2d, depthwiseConv2dAsync } from './depthwise-conv2d.js';
import { createSeparableConv2d, separableConv2d, separableConv2dAsync } from './separable-conv2d.js';
import { add, addAsync } from './add.js';
import { avgPool2d, avgPool2dAsync, globalAvgPool2d, globalAvgPool2dAsync, maxPool2d, maxPool2dAsync } from './pool2d.js';
import { FILTER_OPTION_KEYS, filterImage, filterImageAsync } from '../image/filter.js';
import { OPTION_KEYS } from '../shape.js';

export { conv2d, conv2dAsync, createConv2d, type Conv2d } from './conv2d.js';
export { conv1d, conv1dAsync, createConv1d, type Conv1d } from './conv1d.js';
export { depthwiseConv2d, depthwiseConv2dAsync, createDepthwiseConv2d } from './depthwise-conv2d.js';
export { convTranspose2d, convTranspose2dAsync, createConvTranspose2d } from './conv-transpose2d.js';
export { conv3d, conv3dAsync, createConv3d, type Conv3d } from './conv3d.js';
export { separableConv2d, separableConv2dAsync, createSeparableConv2d } from './separable-conv2d.js';
export { add, addAsync, type AddOutput } from './add.js';
export { avgPool2d, avgPool2dAsync, globalAvgPool2d, globalAvgPool2dAsync, maxPool2d, maxPool2dAsync } from './pool2d.js';
export { filterImage, filterImageAsync, type ChannelMode, type EdgeMode, type FilterOptions, type ImageLike } from '../image/filter.js';

/** A public op: its one-shot, async and prepared forms, and the option keys it accepts. */
export interface OpEntry {
  readonly oneShot: (...args: never[]) => unknown;
  readonly async: (...args: never[]) => Promise<unknown>;
  /** The prepared form (create once, run often), where the op has one. */
  readonly create?: (...args: never[]) => unknown;
  readonly optionKeys: readonly string[];
}

export const OPS = {
  conv2d: { oneShot: conv2d, async: conv2dAsync, create: createConv2d, optionKeys: OPTION_KEYS.conv2d },
  conv1d: { oneShot: conv1d, async: conv1dAsync, create: createConv1d, optionKeys: OPTION_KEYS.conv1d },
  conv3d: { oneShot: conv3d, async: conv3dAsync, create: createConv3d, optionKeys: OPTION_KEYS.conv3d },
  convTranspose2d: { oneShot: convTranspose2d, async: convTranspose2dAsync, create: createConvTranspose2d, optionKeys: OPTION_KEYS.convTranspose2d },
  depthwiseConv2d: { oneShot: depthwiseConv2d, async: depthwiseConv2dAsync, create: createDepthwiseConv2d, optionKeys: OPTION_KEYS.depthwiseConv2d },
  separableConv2d: { oneShot: separableConv2d, async: separableConv2dAsync, create: createSeparableConv2d, optionKeys: OPTION_KEYS.separableConv2d },
  add: { oneShot: add, async: addAsync, optionKeys: OPTION_KEYS.add },
  maxPool2d: { oneShot: maxPool2d, async: maxPool2dAsync, optionKeys: OPTION_KEYS.maxPool2d },
  avgPool2d: { oneShot: avgPool2d, async: avgPool2dAsync, optionKeys: OPTION_KEYS.avgPool2d },
  globalAvgPool2d: { oneShot: globalAvgPool2d, async: globalAvgPool2dAsync, optionKeys: OPTION_KEYS.globalAvgPool2d },
  filterImage: { oneShot: filterImage, async: filterImageAsync, optionKeys: FILTER_OPTION_KEYS },
} as const satisfies Record<string, OpEntry>;

export type OpName = keyof typeof OPS;
