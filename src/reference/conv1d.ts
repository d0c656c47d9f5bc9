// Plain TypeScript conv1d: a one-dimensional loop nest of its own (not the conv2d reference), so
// that tests catch mistakes in how the fast path maps conv1d onto conv2d.

import type { Conv1dOptions, TensorData } from '../types.js';
import { finish, integer, outputLengths, readConvCall, readOutputStage, samePads } from './semantics.js';

/** conv1d's padding: 'valid', 'same', a number for both ends, or [left, right]. */
function readPadding1d(value: unknown): 'same' | [number, number] {
  if (value === undefined || value === 'valid') return [0, 0];
  if (value === 'same') return 'same';
  if (typeof value === 'number') return [integer('options.padding', value, 0), integer('options.padding', value, 0)];
  if (Array.isArray(value) && value.length === 2) return [integer('options.padding[0]', value[0], 0), integer('options.padding[1]', value[1], 0)];
  throw new TypeError(`options.padding must be 'valid', 'same', a number or [left, right]`);
}

export function conv1d(input: TensorData, weight: TensorData, options: Conv1dOptions = {}): TensorData {
  const { o, layout, weightLayout, x, w, groups } = readConvCall('reference.conv1d', input, weight, options, {
    rank: 3, layouts: ['NCW', 'NWC'], weightLayouts: ['OIW', 'WIO'], defaultWeightLayouts: ['OIW', 'WIO'],
  });
  const stride = integer('options.stride', o.stride ?? 1, 1);
  const dilation = integer('options.dilation', o.dilation ?? 1, 1);
  const [N, W, C] = layout === 'NCW' ? [x.shape[0]!, x.shape[2]!, x.shape[1]!] : [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const [M, Cg, K] = weightLayout === 'OIW' ? [w.shape[0]!, w.shape[1]!, w.shape[2]!] : [w.shape[2]!, w.shape[1]!, w.shape[0]!];
  if (M % groups !== 0 || C !== Cg * groups) throw new RangeError(`groups ${groups}: input channels ${C} must be ${Cg} per group and filters ${M} a multiple of it`);
  const stage = readOutputStage(o, M);
  const padding = readPadding1d(o.padding);
  const [padLeft, padRight] = padding === 'same' ? samePads(W, K, stride, dilation) : padding;
  const [OW] = outputLengths([W], [K], [stride], [dilation], [padLeft, padRight]) as [number];
  const filtersPerGroup = M / groups;
  // Element offsets: input (n, c, i), weight (m, c, k), output (n, m, o).
  const xAt = layout === 'NCW' ? (n: number, c: number, i: number) => (n * C + c) * W + i : (n: number, c: number, i: number) => (n * W + i) * C + c;
  const wAt = weightLayout === 'OIW' ? (m: number, c: number, k: number) => (m * Cg + c) * K + k : (m: number, c: number, k: number) => (k * Cg + c) * M + m;
  const yAt = layout === 'NCW' ? (n: number, m: number, i: number) => (n * M + m) * OW + i : (n: number, m: number, i: number) => (n * OW + i) * M + m;
  const y = new Float32Array(N * M * OW);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const firstChannel = Math.floor(m / filtersPerGroup) * Cg;
      for (let out = 0; out < OW; out++) {
        let sum = 0;
        for (let c = 0; c < Cg; c++) {
          for (let k = 0; k < K; k++) {
            const i = out * stride + k * dilation - padLeft;
            if (i >= 0 && i < W) sum += x.data[xAt(n, firstChannel + c, i)]! * w.data[wAt(m, c, k)]!;
          }
        }
        y[yAt(n, m, out)] = finish(sum, m, stage);
      }
    }
  }
  return { data: y, shape: layout === 'NCW' ? [N, M, OW] : [N, OW, M] };
}
