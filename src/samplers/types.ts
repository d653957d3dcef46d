/**
 * What a sampler is to the engine: a definition that, given the run settings, plans a list of
 * step rows (float64 coefficients, one GPU dispatch each), names the WGSL kernel that applies a
 * row to every particle, and gives the float64 reference of the same update for one particle.
 */
import type { ShaderDefines } from '../gpu/compose.js';
import type { GridName } from '../math/grids.js';
import type { Philox } from '../rng/philox.js';

/** Number of float coefficients a step row carries (st.c0 .. st.c3 in WGSL). */
export const ROW_COEFFS = 16;

/** One dispatch: a step index (keys the Philox noise), flags and 16 coefficients. */
export interface StepRow {
  /** Step index; the noise of this row is Philox(particle, step, stream). */
  step: number;
  /** Kernel-specific bit flags. */
  flags: number;
  /** Coefficients c0.xyzw, c1.xyzw, c2.xyzw, c3.xyzw, computed in float64. */
  c: Float64Array;
}

/** A fresh row with zero coefficients. */
export function newRow(step: number, flags = 0): StepRow {
  return { step, flags, c: new Float64Array(ROW_COEFFS) };
}

/** Writes (t, m_t, sigma_t^2) of time `t` into row slot `slot` (0..3) as the kernels' `TimeParams`. */
export function setTime(row: StepRow, slot: number, t: number): void {
  row.c[slot * 4] = t;
  row.c[slot * 4 + 1] = Math.exp(-t);
  row.c[slot * 4 + 2] = -Math.expm1(-2 * t);
}

/** Score-model evaluation in float64: writes s_t(x) and/or x0hat(x, t) for the point at x[off..]. */
export type ModelEval = (
  x: ArrayLike<number>, off: number, t: number, scoreOut: Float64Array | null, x0Out: Float64Array | null,
) => void;

/** What the float64 reference update of one particle can use. */
export interface ReferenceContext {
  readonly dim: number;
  /** Global particle index (keys the noise). */
  readonly particle: number;
  readonly rng: Philox;
  readonly model: ModelEval;
  /** Per-particle auxiliary state of `auxLength` floats (e.g. the previous x0hat), zero at start. */
  readonly aux: Float64Array;
  /** Scratch vectors of length dim. */
  readonly scratch: Float64Array[];
}

/** A planned run of one sampler. */
export interface SamplerPlan {
  /** One GPU dispatch per row, in order. */
  rows: StepRow[];
  /** Score evaluations per particle, all of them. */
  nfe: number;
  /** Sequential depth: score evaluations that had to wait for an earlier one. */
  rounds: number;
  /** The times of the grid the plan was made on (float64, decreasing). */
  grid: Float64Array;
  /** The WGSL kernel and its defines (DIM, WG_SIZE and the score model's are added by the engine). */
  kernel: { shader: string; defines: ShaderDefines; wantScore: boolean; wantX0: boolean };
  /** Floats of per-particle auxiliary state (a second buffer bound at binding 3), 0 for none. */
  auxPerDim: number;
  /** The float64 reference of one row applied to one particle's state `x` (in place). */
  reference: (x: Float64Array, row: StepRow, ctx: ReferenceContext) => void;
}

/** A sampler option as `midstep list` shows it and the validator checks it. */
export interface SamplerOptionSpec {
  name: string;
  description: string;
  /** Numbers are checked against min/max; enums against `values`. */
  type: 'number' | 'integer' | 'enum';
  default: number | string;
  min?: number;
  max?: number;
  values?: readonly string[];
}

/** Settings every plan receives, already validated. */
export interface PlanInput {
  nfe: number;
  tMax: number;
  delta: number;
  grid: GridName;
  options: Record<string, number | string>;
}

/** A sampler: its name, what it is, where it comes from, and how to plan it. */
export interface SamplerDefinition {
  readonly name: string;
  /** One line: what it does. */
  readonly description: string;
  /** The paper or code it follows, with equation numbers where they exist. */
  readonly source: string;
  /** Score evaluations per step (as text: "1", "2", "1 + N, E[N] = 1"). */
  readonly nfePerStep: string;
  /** Sequential rounds per step. */
  readonly roundsPerStep: string;
  /** The smallest nfe budget it can run with. */
  readonly minNfe: number;
  readonly options: readonly SamplerOptionSpec[];
  plan(input: PlanInput): SamplerPlan;
}
