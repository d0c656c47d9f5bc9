// A small property-based harness: random cases drawn from declared parameter ranges with a
// fixed, printed seed, and shrinking of a failing case to a minimal one, so that a failure
// reads as the smallest call that breaks and can be replayed (FUZZ_SEED, FUZZ_RUNS).

import { seededRandom } from './helpers.js';

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** An integer in [min, max] (shrinks toward min) or one of a list (shrinks toward the first). */
export type ParamSpec = { int: readonly [number, number] } | { oneOf: readonly ParamValue[] };

export const int = (min: number, max: number): ParamSpec => ({ int: [min, max] });
export const oneOf = (...values: ParamValue[]): ParamSpec => ({ oneOf: values });

/**
 * A named mix of ranges: a case of this family draws `params` from these specs instead of the
 * property's own. Small cases find corner cases and shrink well; wide or deep families reach
 * the kernels' ragged edges, blocking and bands, which small shapes never do.
 */
export interface Family {
  /** Relative frequency among the property's families. */
  weight: number;
  params: Record<string, ParamSpec>;
}

export interface Property {
  name: string;
  params: Record<string, ParamSpec>;
  /**
   * Families of cases (none: every case draws from `params`). A case records its family in
   * `params.family`, and shrinking stays inside that family's ranges.
   */
  families?: Record<string, Family>;
  /**
   * Runs the op and its reference on one case, throwing when they disagree. Returns false when
   * the parameters do not make a valid call (an output with no pixels, say): such cases are
   * drawn again and never count as failures.
   */
  check(params: Params): boolean;
}

/** From the environment in Node (npm run fuzz); fixed defaults elsewhere (the browser). */
function setting(name: string): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env[name];
}

/** What CI runs (and the browser always): the generator coverage test measures this run. */
export const CI_FUZZ_RUNS = 2000;
export const CI_FUZZ_SEED = 20261128;

export const FUZZ_RUNS = Number(setting('FUZZ_RUNS') ?? CI_FUZZ_RUNS);
export const FUZZ_SEED = setting('FUZZ_SEED') === 'random'
  ? Math.floor(Math.random() * 2 ** 31)
  : Number(setting('FUZZ_SEED') ?? CI_FUZZ_SEED);

type Outcome = { kind: 'pass' } | { kind: 'invalid' } | { kind: 'fail'; error: unknown };

function attempt(property: Property, params: Params): Outcome {
  try {
    return property.check(params) ? { kind: 'pass' } : { kind: 'invalid' };
  } catch (error) {
    return { kind: 'fail', error };
  }
}

/** The specs a case of `family` draws from (the property's own, overridden by the family's). */
export function specsOf(property: Property, family: string | undefined): Record<string, ParamSpec> {
  return family === undefined ? property.params : { ...property.params, ...property.families![family]!.params };
}

function pickFamily(random: () => number, families: Record<string, Family>): string {
  const entries = Object.entries(families);
  let r = random() * entries.reduce((sum, [, f]) => sum + f.weight, 0);
  for (const [name, f] of entries) {
    r -= f.weight;
    if (r < 0) return name;
  }
  return entries[entries.length - 1]![0];
}

/** One random case: its family (if the property has families), then every parameter. */
export function drawCase(random: () => number, property: Property): Params {
  if (!property.families) return draw(random, property.params);
  const family = pickFamily(random, property.families);
  return { family, ...draw(random, specsOf(property, family)) };
}

function draw(random: () => number, specs: Record<string, ParamSpec>): Params {
  const params: Params = {};
  for (const [key, spec] of Object.entries(specs)) {
    params[key] = 'int' in spec
      ? spec.int[0] + Math.floor(random() * (spec.int[1] - spec.int[0] + 1))
      : spec.oneOf[Math.floor(random() * spec.oneOf.length)]!;
  }
  return params;
}

/** Simpler neighbours of a case: one parameter moved toward its minimum or first choice. */
function* simpler(specs: Record<string, ParamSpec>, params: Params): Generator<Params> {
  for (const [key, spec] of Object.entries(specs)) {
    const value = params[key]!;
    const values: ParamValue[] = 'int' in spec
      ? [...new Set([spec.int[0], Math.floor((spec.int[0] + (value as number)) / 2), (value as number) - 1])].filter((v) => v >= spec.int[0] && v < (value as number))
      : spec.oneOf.slice(0, Math.max(0, spec.oneOf.indexOf(value)));
    for (const v of values) yield { ...params, [key]: v };
  }
}

function shrink(property: Property, failing: Params, error: unknown): { params: Params; error: unknown; steps: number } {
  let current = { params: failing, error, steps: 0 };
  for (let improved = true; improved && current.steps < 500;) {
    improved = false;
    const specs = specsOf(property, current.params.family as string | undefined);
    for (const candidate of simpler(specs, current.params)) {
      const outcome = attempt(property, candidate);
      if (outcome.kind === 'fail') {
        current = { params: candidate, error: outcome.error, steps: current.steps + 1 };
        improved = true;
        break;
      }
    }
  }
  return current;
}

/**
 * The cases checkProperty draws from `seed`, in its order (valid or not): what the generator
 * coverage test replays to measure the reach of a run.
 */
export function* drawnCases(property: Property, seed = FUZZ_SEED): Generator<Params> {
  const random = seededRandom(seed);
  for (;;) yield drawCase(random, property);
}

/** How many cases of each family a run checked, and how many it drew (valid or not). */
export interface PropertyRun {
  drawn: number;
  valid: number;
  byFamily: Record<string, number>;
}

/**
 * Checks `runs` valid random cases. On a failure, shrinks it and throws with the seed, the case
 * number, the minimal case and its error.
 */
export function checkProperty(property: Property, { seed = FUZZ_SEED, runs = FUZZ_RUNS } = {}): PropertyRun {
  let valid = 0;
  let drawn = 0;
  const byFamily: Record<string, number> = {};
  for (const params of drawnCases(property, seed)) {
    if (valid >= runs) break;
    if (drawn > runs * 20) throw new Error(`${property.name}: only ${valid} of ${drawn} drawn cases were valid calls`);
    drawn++;
    const outcome = attempt(property, params);
    if (outcome.kind === 'invalid') continue;
    if (outcome.kind === 'fail') {
      const minimal = shrink(property, params, outcome.error);
      const message = minimal.error instanceof Error ? minimal.error.message : String(minimal.error);
      throw new Error(
        `${property.name} failed on case ${valid + 1} (FUZZ_SEED=${seed}); shrunk in ${minimal.steps} steps to\n` +
        `  ${JSON.stringify(minimal.params)}\n${message}`,
      );
    }
    valid++;
    const family = (params.family as string | undefined) ?? 'all';
    byFamily[family] = (byFamily[family] ?? 0) + 1;
  }
  return { drawn, valid, byFamily };
}
