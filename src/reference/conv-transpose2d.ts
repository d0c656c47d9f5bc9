// Plain TypeScript convTranspose2d: the scatter form of the definition (every input pixel adds
// its weighted kernel into the output), independent of the fast path's gather-as-conv2d form.

import type { ConvTranspose2dOptions, TensorData } from '../types.js';
import { activationSteps } from './conv2d.js';
import { finish, perAxis, readConvCall, readOutputStage, readPadding } from './semantics.js';

/**
 * 'same' for a transposed convolution: the output is input·stride. The full scatter covers
 * (in−1)·stride + dilation·(k−1) + 1 positions; the surplus over in·stride is cropped (the odd
 * one at the end, as conv2d's 'same' pads), a shortfall is added at the end as output padding.
 */
function transposedSame(input: number, kernel: number, stride: number, dilation: number): { crop: [number, number]; extra: number } {
  const surplus = dilation * (kernel - 1) + 1 - stride;
  if (surplus <= 0) return { crop: [0, 0], extra: -surplus };
  const end = Math.ceil(surplus / 2);
  return { crop: [surplus - end, end], extra: 0 };
}

export function convTranspose2d(input: TensorData, weight: TensorData, options: ConvTranspose2dOptions = {}): TensorData {
  const { o, layout, weightLayout, x: xt, w: wt, groups } = readConvCall('reference.convTranspose2d', input, weight, options, {
    rank: 4, layouts: ['NCHW', 'NHWC'], weightLayouts: ['IOHW', 'HWOI'], defaultWeightLayouts: ['IOHW', 'HWOI'], extraKeys: ['outputPadding'],
  });
  const [a, b, c, d] = wt.shape as [number, number, number, number];
  // IOHW [C, M/groups, kH, kW]; HWOI [kH, kW, M, C] (TensorFlow's, no groups).
  if (weightLayout === 'HWOI' && groups !== 1) throw new RangeError(`options.groups must be 1 with weight layout HWOI`);
  const [C, Mg, kH, kW] = weightLayout === 'IOHW' ? [a, b, c, d] : [d, c, a, b];
  const M = Mg * groups;
  const weightAt = weightLayout === 'IOHW'
    ? (ch: number, m: number, kh: number, kw: number) => ch * (Mg * kH * kW) + m * (kH * kW) + kh * kW + kw
    : (ch: number, m: number, kh: number, kw: number) => kh * (kW * M * C) + kw * (M * C) + m * C + ch;
  const [N, inC, inH, inW] = (layout === 'NCHW' ? [0, 1, 2, 3] : [0, 3, 1, 2]).map((axis) => xt.shape[axis]!) as [number, number, number, number];
  if (inC !== C || C % groups !== 0) throw new RangeError(`input has ${inC} channels; the weight takes ${C} in ${groups} groups`);
  const stage = readOutputStage(o, M);
  const [sH, sW] = perAxis('options.stride', o.stride, 2, 1, 1) as [number, number];
  const [dH, dW] = perAxis('options.dilation', o.dilation, 2, 1, 1) as [number, number];
  let [opH, opW] = perAxis('options.outputPadding', o.outputPadding, 2, 0, 0) as [number, number];
  if (opH >= Math.max(sH, dH) || opW >= Math.max(sW, dW)) throw new RangeError(`options.outputPadding must be smaller than the stride or the dilation`);
  const padding = readPadding(o.padding, ['top', 'bottom', 'left', 'right']);
  let crop: number[];
  if (padding === 'same') {
    if (o.outputPadding !== undefined) throw new RangeError(`options.outputPadding cannot be combined with padding 'same'`);
    const rows = transposedSame(inH, kH, sH, dH);
    const cols = transposedSame(inW, kW, sW, dW);
    crop = [...rows.crop, ...cols.crop];
    [opH, opW] = [rows.extra, cols.extra];
  } else {
    crop = padding;
  }
  const [top, bottom, left, right] = crop as [number, number, number, number];
  const outH = (inH - 1) * sH + dH * (kH - 1) + 1 + opH - top - bottom;
  const outW = (inW - 1) * sW + dW * (kW - 1) + 1 + opW - left - right;
  if (outH < 1 || outW < 1) throw new RangeError(`padding crops the whole output of input ${inH}×${inW}: no output`);
  const xs = activationSteps(layout, C, inH, inW);
  const ys = activationSteps(layout, M, outH, outW);
  const channelsPerGroup = C / groups;
  const sums = new Float64Array(N * M * outH * outW);
  for (let n = 0; n < N; n++) {
    for (let ch = 0; ch < C; ch++) {
      const group = Math.floor(ch / channelsPerGroup);
      for (let ih = 0; ih < inH; ih++) {
        for (let iw = 0; iw < inW; iw++) {
          const value = xt.data[n * xs.n + ch * xs.c + ih * xs.row + iw * xs.col]!;
          for (let m = 0; m < Mg; m++) {
            const outChannel = group * Mg + m;
            for (let kh = 0; kh < kH; kh++) {
              const oh = ih * sH + kh * dH - top;
              if (oh < 0 || oh >= outH) continue;
              for (let kw = 0; kw < kW; kw++) {
                const ow = iw * sW + kw * dW - left;
                if (ow < 0 || ow >= outW) continue;
                sums[n * ys.n + outChannel * ys.c + oh * ys.row + ow * ys.col]! += value * wt.data[weightAt(ch, m, kh, kw)]!;
              }
            }
          }
        }
      }
    }
  }
  const y = new Float32Array(sums.length);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          const i = n * ys.n + m * ys.c + oh * ys.row + ow * ys.col;
          y[i] = finish(sums[i]!, m, stage);
        }
      }
    }
  }
  return { data: y, shape: layout === 'NCHW' ? [N, M, outH, outW] : [N, outH, outW, M] };
}
