// Plain TypeScript conv1d: a one-dimensional loop nest of its own (not the conv2d reference), so
// that tests catch mistakes in how the fast path maps conv1d onto conv2d. Option parsing is
// shared with the fast path (src/shape.ts).

import {
  checkTensor, checkWeight, conv1dAsConv2d, conv1dShapeAs2d, resolveConv2dFilter, resolveConv2dGeometry,
} from '../shape.js';
import type { Conv1dOptions, Tensor } from '../types.js';
import { applyActivation } from '../activation.js';

export function conv1d(input: Tensor, weight: Tensor, options: Conv1dOptions = {}): Tensor {
  const { layout1d, options: o } = conv1dAsConv2d(options, 'reference.conv1d');
  const weightLayout = o.weightLayout === 'OIHW' ? 'OIW' : 'WIO';
  const x = checkTensor('input', input, 3, layout1d);
  const w = checkWeight(weight, 3, weightLayout);
  const filter = resolveConv2dFilter({ data: w.data, shape: conv1dShapeAs2d(w.shape, weightLayout) }, o, 'reference.conv1d');
  const g = resolveConv2dGeometry(filter, { data: x.data, shape: conv1dShapeAs2d(x.shape, layout1d) });
  const { batch, inChannels: C, inW: W, outChannels: M, outW: OW, channelsPerGroup: Cg, kernelW: K } = g;
  const filtersPerGroup = M / g.groups;
  // Element offsets: input (n, c, i), weight (m, c, k), output (n, m, o).
  const xAt = layout1d === 'NCW' ? (n: number, c: number, i: number) => (n * C + c) * W + i : (n: number, c: number, i: number) => (n * W + i) * C + c;
  const wAt = weightLayout === 'OIW' ? (m: number, c: number, k: number) => (m * Cg + c) * K + k : (m: number, c: number, k: number) => (k * Cg + c) * M + m;
  const yAt = layout1d === 'NCW' ? (n: number, m: number, o: number) => (n * M + m) * OW + o : (n: number, m: number, o: number) => (n * OW + o) * M + m;
  const y = new Float32Array(batch * M * OW);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < M; m++) {
      const firstChannel = Math.floor(m / filtersPerGroup) * Cg;
      for (let out = 0; out < OW; out++) {
        let sum = g.bias ? g.bias[m]! : 0;
        for (let c = 0; c < Cg; c++) {
          for (let k = 0; k < K; k++) {
            const i = out * g.strideW + k * g.dilationW - g.padLeft;
            if (i >= 0 && i < W) sum += x.data[xAt(n, firstChannel + c, i)]! * w.data[wAt(m, c, k)]!;
          }
        }
        y[yAt(n, m, out)] = applyActivation(sum, g.activation, g.alpha);
      }
    }
  }
  return { data: y, shape: layout1d === 'NCW' ? [batch, M, OW] : [batch, OW, M] };
}
