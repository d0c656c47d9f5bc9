// Plain TypeScript convTranspose2d: the scatter form of the definition (every input pixel adds
// its weighted kernel into the output), independent of the fast path's gather-as-conv2d form.

import { activationStrides, resolveConvTranspose2dFilter, resolveConvTranspose2dGeometry } from '../shape.js';
import type { ConvTranspose2dOptions, Tensor } from '../types.js';
import { applyActivation } from '../activation.js';

export function convTranspose2d(input: Tensor, weight: Tensor, options: ConvTranspose2dOptions = {}): Tensor {
  const g = resolveConvTranspose2dGeometry(resolveConvTranspose2dFilter(weight, options, 'reference.convTranspose2d'), input);
  const xs = activationStrides(g.layout, g.inChannels, g.inH, g.inW);
  const ys = activationStrides(g.layout, g.outChannels, g.outH, g.outW);
  const channelsPerGroup = g.inChannels / g.groups;
  const filtersPerGroup = g.outChannels / g.groups;
  const sums = new Float64Array(g.batch * g.outChannels * g.outH * g.outW);
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.inChannels; c++) {
      const group = Math.floor(c / channelsPerGroup);
      for (let ih = 0; ih < g.inH; ih++) {
        for (let iw = 0; iw < g.inW; iw++) {
          const value = input.data[n * xs.batch + c * xs.channel + ih * xs.row + iw * xs.col]!;
          for (let m = 0; m < filtersPerGroup; m++) {
            const outChannel = group * filtersPerGroup + m;
            for (let kh = 0; kh < g.kernelH; kh++) {
              const oh = ih * g.strideH - g.padTop + kh * g.dilationH;
              if (oh < 0 || oh >= g.outH) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const ow = iw * g.strideW - g.padLeft + kw * g.dilationW;
                if (ow < 0 || ow >= g.outW) continue;
                sums[n * ys.batch + outChannel * ys.channel + oh * ys.row + ow * ys.col]! +=
                  value * weight.data[g.weightIndex(c, m, kh, kw)]!;
              }
            }
          }
        }
      }
    }
  }
  const { bias, activation, alpha } = g;
  const y = new Float32Array(sums.length);
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          const i = n * ys.batch + m * ys.channel + oh * ys.row + ow * ys.col;
          y[i] = applyActivation(sums[i]! + (bias ? bias[m]! : 0), activation, alpha);
        }
      }
    }
  }
  return { data: y, shape: g.layout === 'NCHW' ? [g.batch, g.outChannels, g.outH, g.outW] : [g.batch, g.outH, g.outW, g.outChannels] };
}
