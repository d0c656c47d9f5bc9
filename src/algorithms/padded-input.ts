// The zero-bordered copy of one input image that the direct path and the NCHW im2col read, so
// their inner loops never check bounds.

import type { KernelRuntime as Runtime } from '../kernels.js';
import type { Conv2dGeometry } from '../shape.js';
import type { ConvBuffers } from './algorithm.js';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

export interface PaddedImage {
  height: number;
  /** In pixels; wide enough that whole 8-column tiles past the last output column stay inside. */
  width: number;
  /** Bytes of the copy of all C channels, a multiple of 64. */
  bytes: number;
}

export function paddedImage(g: Conv2dGeometry): PaddedImage {
  const height = g.padTop + g.inH + g.padBottom;
  const width = Math.max(g.padLeft + g.inW + g.padRight, roundUp(g.outW, 8) * g.strideW + (g.kernelW - 1) * g.dilationW + 8);
  return { height, width, bytes: roundUp(g.inChannels * height * width * 4, 64) };
}

/** Copies image `n` of the input into `dst` with zero borders, in the input's layout. */
export function padInputImage(rt: Runtime, g: Conv2dGeometry, image: PaddedImage, input: number, n: number, dst: number): void {
  const channels = g.inChannels;
  const inPlane = g.inH * g.inW;
  const source = input + n * channels * inPlane * 4;
  if (g.layout === 'NCHW') {
    const plane = image.height * image.width;
    for (let c = 0; c < channels; c++) {
      rt.kernels.padPlane(source + c * inPlane * 4, g.inH, g.inW, g.padTop, g.padLeft, image.height, image.width, dst + c * plane * 4);
    }
  } else {
    // A channels-last image is one plane whose rows are W·C floats wide.
    rt.kernels.padPlane(source, g.inH, g.inW * channels, g.padTop, g.padLeft * channels, image.height, image.width * channels, dst);
  }
}

/**
 * Where image `n`'s zero-bordered copy is: in the input itself when the caller already wrote it
 * that way (buffers.inputPadded), otherwise copied into `dst` now.
 */
export function zeroBorderedImage(rt: Runtime, g: Conv2dGeometry, image: PaddedImage, buffers: ConvBuffers, n: number, dst: number): number {
  if (buffers.inputPadded) return buffers.input + n * image.bytes;
  padInputImage(rt, g, image, buffers.input, n, dst);
  return dst;
}
