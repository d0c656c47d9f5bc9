// Plain TypeScript conv3d: the seven-deep loop of the definition, independent of the fast path's
// stacked-slices form.

import type { Conv3dOptions, TensorData } from '../types.js';
import { finish, outputLengths, perAxis, readConvCall, readOutputStage, readPadding, resolvePads } from './semantics.js';

export function conv3d(input: TensorData, weight: TensorData, options: Conv3dOptions = {}): TensorData {
  const { o, layout, weightLayout, x, w: wt, groups } = readConvCall('reference.conv3d', input, weight, options, {
    rank: 5, layouts: ['NCDHW', 'NDHWC'], weightLayouts: ['OIDHW', 'DHWIO'], defaultWeightLayouts: ['OIDHW', 'DHWIO'],
  });
  const ncdhw = layout === 'NCDHW';
  const xs = x.shape;
  const [N, C, inD, inH, inW] = ncdhw ? xs : [xs[0]!, xs[4]!, xs[1]!, xs[2]!, xs[3]!];
  const ws = wt.shape;
  const [M, Cg, kD, kH, kW] = weightLayout === 'OIDHW' ? ws : [ws[4]!, ws[3]!, ws[0]!, ws[1]!, ws[2]!];
  if (M! % groups !== 0 || C !== Cg! * groups) throw new RangeError(`groups ${groups}: input channels ${C} must be ${Cg} per group and filters ${M} a multiple of it`);
  const stage = readOutputStage(o, M!);
  const strides = perAxis('options.stride', o.stride, 3, 1, 1);
  const dilations = perAxis('options.dilation', o.dilation, 3, 1, 1);
  const inputs = [inD!, inH!, inW!];
  const kernels = [kD!, kH!, kW!];
  const pads = resolvePads(readPadding(o.padding, ['front', 'back', 'top', 'bottom', 'left', 'right']), inputs, kernels, strides, dilations);
  const [outD, outH, outW] = outputLengths(inputs, kernels, strides, dilations, pads) as [number, number, number];
  const Mg = M! / groups;
  const xAt = (n: number, c: number, d: number, h: number, w: number) =>
    ncdhw ? (((n * C! + c) * inD! + d) * inH! + h) * inW! + w : ((((n * inD! + d) * inH! + h) * inW! + w) * C! + c);
  const wAt = (m: number, c: number, kd: number, kh: number, kw: number) =>
    weightLayout === 'OIDHW' ? (((m * Cg! + c) * kD! + kd) * kH! + kh) * kW! + kw : ((((kd * kH! + kh) * kW! + kw) * Cg! + c) * M! + m);
  const yAt = (n: number, m: number, d: number, h: number, w: number) =>
    ncdhw ? (((n * M! + m) * outD + d) * outH + h) * outW + w : ((((n * outD + d) * outH + h) * outW + w) * M! + m);
  const y = new Float32Array(N! * M! * outD * outH * outW);
  // Input coordinate of output position o and tap k along an axis, or -1 outside the input.
  const at = (axis: number, out: number, k: number) => {
    const i = out * strides[axis]! + k * dilations[axis]! - pads[2 * axis]!;
    return i >= 0 && i < inputs[axis]! ? i : -1;
  };
  for (let n = 0; n < N!; n++)
    for (let m = 0; m < M!; m++) {
      const c0 = Math.floor(m / Mg) * Cg!;
      for (let od = 0; od < outD; od++)
        for (let oh = 0; oh < outH; oh++)
          for (let ow = 0; ow < outW; ow++) {
            let sum = 0;
            for (let c = 0; c < Cg!; c++)
              for (let kd = 0; kd < kD!; kd++) {
                const id = at(0, od, kd);
                if (id < 0) continue;
                for (let kh = 0; kh < kH!; kh++) {
                  const ih = at(1, oh, kh);
                  if (ih < 0) continue;
                  for (let kw = 0; kw < kW!; kw++) {
                    const iw = at(2, ow, kw);
                    if (iw >= 0) sum += x.data[xAt(n, c0 + c, id, ih, iw)]! * wt.data[wAt(m, c, kd, kh, kw)]!;
                  }
                }
              }
            y[yAt(n, m, od, oh, ow)] = finish(sum, m, stage);
          }
    }
  return { data: y, shape: ncdhw ? [N!, M!, outD, outH, outW] : [N!, outD, outH, outW, M!] };
}
