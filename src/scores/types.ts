/**
 * A score model as the engine sees it: WGSL that defines `model_eval` (see shaders/model-common.wgsl),
 * the buffers it binds in group 1, and a float64 evaluation used by the CPU reference.
 */
import type { ShaderDefines, ShaderSources } from '../gpu/compose.js';
import type { KernelSpec, ModelEval, StepRow } from '../samplers/types.js';

/** GPU resources of a score model on one device. */
export interface ScoreBindings {
  /** The bind group 1 entries, matching {@link ScoreModel.layoutEntries}. */
  entries: GPUBindGroupEntry[];
  /** Frees the model's buffers. */
  destroy(): void;
  /**
   * Encodes work that must run before dispatch `replay` of row `row` (outside any compute pass),
   * e.g. an external network writing the scores the kernel's model_eval then reads. Optional.
   */
  encodeBeforeRow?(encoder: GPUCommandEncoder, row: number, replay: number): void;
  /** Dispatches of row `row` (staged external scores replay a row once per evaluation, plus one); default 1. */
  rowDispatches?(row: number): number;
}

/** What a run tells a model when it creates its buffers. */
export interface ScoreRunContext {
  /** Particles of the run. */
  particles: number;
  /** The plan's rows and kernels. */
  rows: readonly StepRow[];
  kernels: readonly KernelSpec[];
  /** The particle state, P x d float32 row-major. */
  state: GPUBuffer;
}

/** A score model the samplers can call. */
export interface ScoreModel {
  /** Name shown in reports (the target's name for analytic targets). */
  readonly name: string;
  /** Dimension d of the state. */
  readonly dim: number;
  /** Shader file (without .wgsl) that defines `model_eval`. */
  readonly shader: string;
  /**
   * Defines the shader needs besides DIM, WANT_SCORE, WANT_X0. Pipelines are cached by shader name
   * and defines, so a model whose WGSL comes from `sources` puts a hash of it here.
   */
  readonly defines: ShaderDefines;
  /** WGSL that is not a file of shaders/ (a user's score function), by the name its `#include` uses. */
  readonly sources?: ShaderSources;
  /** Float64 evaluation of the same function, for the CPU reference. */
  readonly evalPoint: ModelEval;
  /** Layout of bind group 1 (the model's buffers), visibility COMPUTE. */
  layoutEntries(): GPUBindGroupLayoutEntry[];
  /** Creates the model's buffers on `device` (for a run, described by `run`). */
  createBindings(device: GPUDevice, run?: ScoreRunContext): ScoreBindings;
}
