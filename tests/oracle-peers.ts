// Shared pieces of the peer-oracle tests (oracle-ort.node.test.ts, oracle-tfjs.node.test.ts):
// the tolerance against a peer, the paths a shape can be forced onto, a log that gathers every
// mismatch of a run, and a coverage counter that proves the random draws reached each attribute.
import { expect } from 'vitest';
import type { Algorithm, TensorData } from 'simdconv';
import { expectWithinTolerance, neighbourhoodMax, WINOGRAD_TOLERANCE } from './helpers.js';

/**
 * Against a peer, every element must satisfy |y − y_peer| ≤ 1e-4 · (Σ|w·x| + |b|).
 * Why 1e-4 and not the 1e-5 used against the float64 reference: both sides are float32 sums in
 * different orders (ORT's MLAS and tfjs-backend-cpu's loops vs simdconv's tiles), each off the
 * exact sum by up to ~n·2⁻²⁴·Σ|w·x| for n terms; sums here reach a few thousand terms, so two such
 * errors stay well under 1e-4 of the magnitude, while a wrong tap, pad or weight index moves an
 * element by about |w·x| ≈ a whole term, far above it. Measured (Dec 2026): with this bound set
 * to 1e-6, only 4 of the 700 ORT cases (all ConvTranspose) and none of the 580 tfjs cases fail, so
 * 1e-4 leaves a margin of about 100 over rounding and still catches every planted bug tried.
 */
export const PEER_RELATIVE_TOLERANCE = 1e-4;

/**
 * The magnitude the allowance is taken of: the element's own Σ|w·x| + |b|, plus, where Winograd
 * may have computed the result, the Winograd bound's tile-wide term (helpers' WINOGRAD_TOLERANCE:
 * a 4×4 tile's rounding comes from the whole tile, one dilation apart). `shape` is the output's
 * [images, a, b, c] in `layout` (a 5-D NDHWC output is passed as [N·D, H, W, C]: conv3d runs as
 * conv2d on N·D images).
 */
export function peerMagnitude(
  magnitude: Float32Array, winograd: null | { shape: readonly number[]; layout: 'NCHW' | 'NHWC'; dilation: number },
): Float32Array {
  if (!winograd) return magnitude;
  const tile = neighbourhoodMax(magnitude, winograd.shape, winograd.layout, WINOGRAD_TOLERANCE.neighbourhood * winograd.dilation);
  // Both allowances at once: ≤ 1e-4·own + 1e-4·tile (WINOGRAD_TOLERANCE.relative is 1e-4 as well).
  const scale = WINOGRAD_TOLERANCE.relative / PEER_RELATIVE_TOLERANCE;
  return magnitude.map((own, i) => own + scale * tile[i]!);
}

/** A simdconv (or reference) result against the peer's, shape and values. */
export function expectMatchesPeer(actual: TensorData, peer: TensorData, magnitude: Float32Array, label: string): void {
  expect([...actual.shape], `${label}: shape`).toEqual([...peer.shape]);
  expectWithinTolerance(actual.data, peer.data, magnitude, PEER_RELATIVE_TOLERANCE, 0, label);
}

/** The paths a shape may be forced onto: gemm and direct compute anything, the other two need their shapes. */
export function algorithmsFor(shape: { depthwise: boolean; winograd: boolean }): Algorithm[] {
  return ['auto', 'gemm', 'direct', ...(shape.depthwise ? ['depthwise' as const] : []), ...(shape.winograd ? ['winograd' as const] : [])];
}

/** Where Winograd may have run: forced, or 'auto' on a shape it can compute. */
export function winogradMayRun(algorithm: Algorithm | undefined, winogradApplies: boolean): boolean {
  return algorithm === 'winograd' || ((algorithm ?? 'auto') === 'auto' && winogradApplies);
}

/**
 * Gathers every mismatch of a run instead of stopping at the first, so one failing run shows all
 * the seeds to replay. A thrown error (simdconv refusing a valid case, say) counts as a mismatch.
 */
export class MismatchLog {
  private readonly failures: string[] = [];

  async check(label: string, body: () => void | Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  expectNone(what: string): void {
    expect(this.failures.slice(0, 20), `${this.failures.length} mismatches in ${what} (first 20 shown)`).toEqual([]);
  }
}

/** Counts the cases that exercised each named attribute; every one must be reached at least once. */
export class Coverage<Name extends string> {
  private readonly counts: Map<Name, number>;

  constructor(names: readonly Name[]) {
    this.counts = new Map(names.map((name) => [name, 0]));
  }

  note(name: Name, reached: boolean): void {
    if (!this.counts.has(name)) throw new Error(`Coverage: '${name}' is not one of the counted attributes`);
    if (reached) this.counts.set(name, this.counts.get(name)! + 1);
  }

  summary(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  expectAllReached(what: string): void {
    const missing = [...this.counts].filter(([, count]) => count === 0).map(([name]) => name);
    expect(missing, `${what}: attributes no random case reached (counts ${JSON.stringify(this.summary())})`).toEqual([]);
  }
}

/** `[h, w]` from a number or a pair. */
export function pairOf(value: number | readonly [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** A short JSON of a case's options for failure messages: a bias as its length, not its values. */
export function describeOptions(options: object): string {
  return JSON.stringify(options, (key, value) => (key === 'bias' && value ? `[${(value as Float32Array).length} values]` : value));
}
