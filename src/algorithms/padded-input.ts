// The zero-bordered copy of one input image that the direct path and the NCHW im2col read, so
// their inner loops never check bounds.

import type { KernelRuntime as Runtime } from '../kernels.js';
import type { Conv2dGeometry } from '../shape.js';
import type { ConvBuffers, RowBand } from './algorithm.js';

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

/**
 * The rows a band of output rows reads: zero-bordered rows [top, top + count), of which input
 * rows [first, first + realRows) are real, placed `zeroAbove` rows down, the rest zero padding.
 * Without `rows`, the whole image.
 */
export function bandRowsRead(g: Conv2dGeometry, rows: RowBand | undefined): { top: number; count: number; first: number; realRows: number; zeroAbove: number } {
  const height = g.padTop + g.inH + g.padBottom;
  const top = rows ? rows.begin * g.strideH : 0;
  const count = rows ? Math.min(height - top, (rows.end - rows.begin - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1) : height;
  const first = Math.max(0, top - g.padTop);
  const realRows = Math.max(0, Math.min(g.inH, top + count - g.padTop) - first);
  return { top, count, first, realRows, zeroAbove: realRows > 0 ? first + g.padTop - top : count };
}

/**
 * Copies image `n` of the input into `dst` with zero borders, in the input's layout. With `rows`,
 * only the padded rows those output rows read are written (at their place in `dst`): a band on
 * a worker pads its own rows, so no thread pads the whole image first.
 */
export function padInputImage(rt: Runtime, g: Conv2dGeometry, image: PaddedImage, input: number, n: number, dst: number, rows?: RowBand): void {
  const channels = g.inChannels;
  const inPlane = g.inH * g.inW;
  const { top, count, first, realRows, zeroAbove } = bandRowsRead(g, rows);
  if (count <= 0) return;
  const source = input + (n * channels * inPlane + first * (g.layout === 'NCHW' ? g.inW : g.inW * channels)) * 4;
  if (g.layout === 'NCHW') {
    const plane = image.height * image.width;
    for (let c = 0; c < channels; c++) {
      rt.kernels.padPlane(source + c * inPlane * 4, realRows, g.inW, zeroAbove, g.padLeft, count, image.width, dst + (c * plane + top * image.width) * 4);
    }
  } else {
    // A channels-last image is one plane whose rows are W·C floats wide.
    rt.kernels.padPlane(source, realRows, g.inW * channels, zeroAbove, g.padLeft * channels, count, image.width * channels, dst + top * image.width * channels * 4);
  }
}

/**
 * Where image `n`'s zero-bordered copy is: in the input itself when the caller already wrote it
 * that way (buffers.inputPadded), otherwise copied into `dst` now (only the band's rows).
 */
export function zeroBorderedImage(rt: Runtime, g: Conv2dGeometry, image: PaddedImage, buffers: ConvBuffers, n: number, dst: number): number {
  if (buffers.inputPadded) return buffers.input + n * image.bytes;
  padInputImage(rt, g, image, buffers.input, n, dst, buffers.rows);
  return dst;
}
