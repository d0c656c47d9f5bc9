// Plain TypeScript conv3d: the seven-deep loop of the definition, independent of the fast path's
// stacked-slices form. Option parsing is shared (src/shape.ts).

import { resolveConv3d, resolveConv2dFilterShape } from '../shape.js';
import type { Conv3dOptions, Tensor } from '../types.js';
import { applyActivation } from '../activation.js';

export function conv3d(input: Tensor, weight: Tensor, options: Conv3dOptions = {}): Tensor {
  const g = resolveConv3d(input, weight, options, 'reference.conv3d');
  const { bias, activation, alpha } = resolveConv2dFilterShape([g.outChannels, 1, 1, 1], g.conv2dOptions, 'reference.conv3d');
  const { batch: N, inChannels: C, outChannels: M, inD, inH, inW, kernelD: kD, kernelH: kH, kernelW: kW, outD, outH, outW } = g;
  const Cg = C / g.groups;
  const Mg = M / g.groups;
  const ncdhw = g.layout === 'NCDHW';
  const xAt = (n: number, c: number, d: number, h: number, w: number) =>
    ncdhw ? (((n * C + c) * inD + d) * inH + h) * inW + w : ((((n * inD + d) * inH + h) * inW + w) * C + c);
  const wAt = (m: number, c: number, kd: number, kh: number, kw: number) =>
    g.weightLayout === 'OIDHW' ? (((m * Cg + c) * kD + kd) * kH + kh) * kW + kw : ((((kd * kH + kh) * kW + kw) * Cg + c) * M + m);
  const yAt = (n: number, m: number, d: number, h: number, w: number) =>
    ncdhw ? (((n * M + m) * outD + d) * outH + h) * outW + w : ((((n * outD + d) * outH + h) * outW + w) * M + m);
  const y = new Float32Array(N * M * outD * outH * outW);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / Mg) * Cg;
      for (let od = 0; od < outD; od++)
        for (let oh = 0; oh < outH; oh++)
          for (let ow = 0; ow < outW; ow++) {
            let sum = bias ? bias[m]! : 0;
            for (let c = 0; c < Cg; c++)
              for (let kd = 0; kd < kD; kd++) {
                const id = od * g.strideD + kd * g.dilationD - g.padFront;
                if (id < 0 || id >= inD) continue;
                for (let kh = 0; kh < kH; kh++) {
                  const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
                  if (ih < 0 || ih >= inH) continue;
                  for (let kw = 0; kw < kW; kw++) {
                    const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
                    if (iw < 0 || iw >= inW) continue;
                    sum += input.data[xAt(n, c0 + c, id, ih, iw)]! * weight.data[wAt(m, c, kd, kh, kw)]!;
                  }
                }
              }
            y[yAt(n, m, od, oh, ow)] = applyActivation(sum, activation, alpha);
          }
    }
  return { data: y, shape: ncdhw ? [N, M, outD, outH, outW] : [N, outD, outH, outW, M] };
}
