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

/** One dispatch: which kernel, a step index (keys the Philox noise), flags and 16 coefficients. */
export interface StepRow {
  /** Index into {@link SamplerPlan.kernels}. */
  kernel: number;
  /** Step index; the noise of this row is Philox(particle, step, stream). */
  step: number;
  /** Kernel-specific bit flags. */
  flags: number;
  /** Sequential score-evaluation rounds this row adds (for progress); default: the plan's rounds spread evenly. */
  rounds?: number;
  /** Coefficients c0.xyzw, c1.xyzw, c2.xyzw, c3.xyzw, computed in float64. */
  c: Float64Array;
  /** model_eval calls per invocation of this row, when fewer than its kernel's {@link KernelSpec.evals} (staged external scores replay the row evals + 1 times). */
  evals?: number;
}

/** A fresh row with zero coefficients. */
export function newRow(step: number, flags = 0, kernel = 0): StepRow {
  return { kernel, step, flags, c: new Float64Array(ROW_COEFFS) };
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
  /** This particle's slice of each of the plan's extra buffers, by name, zero at start. */
  readonly buffers: Readonly<Record<string, Float64Array>>;
  /** Scratch vectors of length dim. */
  readonly scratch: Float64Array[];
}

/** An extra storage buffer of a plan (zero at the start of a run). */
export interface PlanBuffer {
  /** Name, as the WGSL declares it. */
  name: string;
  /** Size per particle in 4-byte words (per-particle state); the reference gets this slice. */
  floatsPerParticle?: number;
  /** Or a fixed size in 4-byte words (counters, compacted lists, indirect arguments); not given to the reference. */
  words?: number;
  /** Also usable as the argument buffer of an indirect dispatch. */
  indirect?: boolean;
  /**
   * Initial contents of a fixed-size (`words`) buffer, uploaded before the run (the rest stays
   * zero): coefficient tables planned in float64 and rounded to f32 here, e.g. all of a
   * poisson-midpoint run's per-fine-index coefficients, without a dispatch per 16 values.
   */
  init?: Float32Array;
}

/** A compute kernel of a plan. */
export interface KernelSpec {
  /** Shader file (without .wgsl) with a `main` entry point; it includes "sampler-common". */
  shader: string;
  defines: ShaderDefines;
  /** Whether its model calls need the score and/or the denoiser x0hat. */
  wantScore: boolean;
  wantX0: boolean;
  /** Invocations per particle (e.g. one per sub-window for batched evaluations); default 1. */
  lanes?: number;
  /**
   * Dispatch indirectly: the workgroup counts (x, y, z as u32) are read from plan buffer `buffer`
   * at byte `offset`, written by an earlier kernel (e.g. after compacting a list of active work).
   * The kernel then gets run.row_stride = 0 and must bound itself by its own count.
   * WebGPU forbids a buffer to be both the indirect argument and writable storage of one dispatch,
   * so this kernel sees the argument buffer read-only: its WGSL must declare it `var<storage, read>`.
   */
  indirect?: { buffer: string; offset: number };
  /** Names of plan buffers this kernel only reads; they are bound read-only (declare them `var<storage, read>`). */
  readOnly?: string[];
  /**
   * Most model_eval calls one invocation makes per dispatch; default 1 when wantScore or wantX0,
   * else 0. A staged external score (src/scores/external-score.ts) dispatches a row evals + 1 times.
   */
  evals?: number;
  /**
   * The same update laid out for large d, one invocation per (particle, vec4 block) (`lanes` =
   * ceil(d / 4)), bit-identical to this kernel; usable when the score is already in a buffer (a
   * mixture score pass). The engine picks it by the run's `updateLayout`
   * (src/gpu/update-layout.ts).
   */
  blocked?: KernelSpec;
}

/** model_eval calls per invocation of `row` of kernel `spec` ({@link StepRow.evals}, else {@link KernelSpec.evals}). */
export function rowEvals(row: StepRow, spec: KernelSpec): number {
  return row.evals ?? spec.evals ?? (spec.wantScore || spec.wantX0 ? 1 : 0);
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
  /** The WGSL kernels the rows dispatch (DIM, DIM4, WG_SIZE, LANES and the score model's defines are added by the engine). */
  kernels: KernelSpec[];
  /**
   * Extra per-particle float buffers, zero at the start of a run, bound at @binding(3), (4), ... of
   * group 0 in this order in every kernel of the plan (the WGSL declares them with these names).
   */
  buffers: PlanBuffer[];
  /**
   * For samplers whose number of score evaluations is random (poisson-midpoint): the 64-bit count
   * in u32 words `word` (low) and `word + 1` (high) of plan buffer `buffer` that the kernels increase
   * by every evaluation beyond `base` per particle, so the realised nfe of a run is
   * base + count / particles (read back with the samples).
   */
  evalCounter?: { buffer: string; word: number; base: number };
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
  /** Dimension of the state. */
  dim: number;
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
  /** The smallest nfe budget it can run with, whatever its options. */
  readonly minNfe: number;
  /** The smallest nfe budget with these (resolved) options, where it depends on them; default: {@link minNfe}. */
  readonly minNfeFor?: (options: Record<string, number | string>) => number;
  readonly options: readonly SamplerOptionSpec[];
  plan(input: PlanInput): SamplerPlan;
}
