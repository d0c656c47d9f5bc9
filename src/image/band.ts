// One band of rows of filterImage, from RGBA bytes to RGBA bytes: widen into float planes,
// the depthwise passes, narrow back. Plain data in, so the calling thread and pool workers run
// the same steps (filterImage, filterImageAsync).

import { depthwiseConv } from '../algorithms/depthwise.js';
import type { KernelRuntime } from '../kernels.js';
import type { Conv2dGeometry } from '../shape.js';

export interface BandPass {
  geometry: Conv2dGeometry;
  packedWeights: number;
  input: number;
  output: number;
  /** Output rows this many pixels apart (the next pass's layout), or undefined for dense. */
  outputRowPixels?: number;
}

export interface BandJob {
  /** RGBA bytes in and out (the whole image), its size, and the band's rows. */
  source: number;
  out: number;
  width: number;
  height: number;
  band: number;
  rows: number;
  /** Codes of assembly/image.ts. */
  mode: number;
  edge: number;
  bias: number;
  abs: boolean;
  padTop: number;
  padLeft: number;
  padRight: number;
  /** Where the band's widened planes go: their row pitch and padded rows. */
  widened: number;
  widenedPitch: number;
  widenedRows: number;
  passes: BandPass[];
  /** The planes narrowed back, and a second set for a gradient magnitude (or 0). */
  result: number;
  other: number;
}

export function runBand(rt: KernelRuntime, job: BandJob): void {
  const k = rt.kernels;
  k.imageToFloat(job.source, job.width, job.height, job.mode, job.padTop, job.padLeft, job.padRight, job.edge, job.widened, job.widenedPitch, job.band, job.widenedRows);
  for (const pass of job.passes) {
    depthwiseConv.run(rt, pass.geometry, pass.packedWeights, {
      input: pass.input, output: pass.output, bias: 0, scratch: 0, inputPadded: true,
      ...(pass.outputRowPixels === undefined ? {} : { outputRowPixels: pass.outputRowPixels }),
    });
  }
  const at = job.band * job.width * 4;
  k.floatToImage(job.result, job.other, job.width, job.rows, job.mode, job.bias, job.abs, job.source + at, job.out + at);
}
