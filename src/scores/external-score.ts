/**
 * External scores: the network runs in the app's own GPU work on the same device (its WebGPU
 * pipelines, ONNX Runtime Web or TensorFlow.js on WebGPU). For each round the engine hands the app
 * the points (the particle state buffer) and a buffer holding the round's time; the app encodes
 * work that writes the scores into a buffer the engine owns; the sampler kernel then reads them
 * (shaders/score-external.wgsl). All particles of a round are one batch.
 *
 * Limit: this needs kernels that evaluate the score once per dispatch, at the stored state, one
 * invocation per particle: the samplers euler-maruyama, ddpm, ddim, dpmpp-2m and accelerated-sde.
 * Samplers that evaluate at intermediate points inside one kernel (heun, the midpoint methods,
 * heroism, poisson-midpoint) would have to be split at every evaluation; they are refused with an
 * error that says so.
 */
import { MidstepError } from '../errors.js';
import { BLOCKED_LINEAR_KERNEL } from '../samplers/exponential-step.js';
import type { KernelSpec } from '../samplers/types.js';
import type { ScoreBindings, ScoreModel, ScoreRunContext } from './types.js';

/** Kernels whose one model_eval per dispatch is at the stored state with time slot 1 (row.c[4..6]). */
export const EXTERNAL_KERNELS: readonly string[] = ['exponential-step', 'accelerated-sde'];
/** The samplers that can run with an external score. */
export const EXTERNAL_SAMPLERS: readonly string[] = ['euler-maruyama', 'ddpm', 'ddim', 'dpmpp-2m', 'accelerated-sde'];

/**
 * Checks that every kernel of a run evaluates the score once per dispatch at the stored state.
 * @throws MidstepError naming the kernel and the samplers that fit.
 */
export function checkExternalKernels(what: string, kernels: readonly KernelSpec[]): void {
  for (const k of kernels) {
    // the per-block linear step reads its block through model_eval_block, with ceil(d / 4) lanes
    const lanesOk = (k.lanes ?? 1) === 1 || k.shader === BLOCKED_LINEAR_KERNEL;
    if (!(EXTERNAL_KERNELS.includes(k.shader) || k.shader === BLOCKED_LINEAR_KERNEL) || !lanesOk || k.indirect) {
      throw new MidstepError(`${what}: kernel ${k.shader} evaluates the score inside the kernel; external scores run with ${EXTERNAL_SAMPLERS.join(', ')}`);
    }
  }
}

/** Bytes per record of the time table (the uniform-offset alignment). */
export const TIME_RECORD_BYTES = 256;

/** What the app gets for one round. */
export interface ExternalRound {
  /** The round (row of the plan), 0-based. */
  round: number;
  /** Points to score: the particle state, `count` x `dim` float32 row-major. Read it; do not write it. */
  points: GPUBuffer;
  /**
   * Times of every round: record r at byte `r * 256` is vec4<f32>(t, m = e^{-t}, sig2 = 1 - e^{-2t}, 0).
   * Bind `{ buffer: times, offset: timeOffset, size: 16 }` as a uniform (or read it as storage).
   */
  times: GPUBuffer;
  timeOffset: number;
  /** Where the app writes its output (see {@link ExternalScoreOptions.output}) for every point, `count` x `dim` float32 row-major. */
  scores: GPUBuffer;
  count: number;
  dim: number;
  /** The round's time as numbers (bookkeeping only: queue.writeBuffer would land before the whole batch runs). */
  t: number;
  m: number;
  sig2: number;
}

/** The form of the app's output. */
export type ExternalOutput = 'score' | 'x0' | 'eps';

/** What {@link externalScoreModel} takes. */
export interface ExternalScoreOptions {
  name: string;
  dim: number;
  /**
   * What the app writes: the score s_t(x) (default), the denoiser x0hat(x, t), or the noise
   * prediction eps (s = -eps / sigma). The other forms follow from it (Tweedie); write the form the
   * network predicts, since converting in f32 loses digits (x0 from a score at large t, for one).
   */
  output?: ExternalOutput;
  /**
   * Encodes the app's work for one round on `encoder` (outside any pass; begin your own passes).
   * Must write `round.scores` for all `round.count` points.
   */
  encode(encoder: GPUCommandEncoder, round: ExternalRound): void;
  /** Float64 version of the same score, writing s_t(x) into out (only for the CPU reference). */
  reference?: (x: Float64Array, t: number, out: Float64Array) => void;
}


/**
 * A score model whose scores come from the app's own GPU work, for the samplers in
 * {@link EXTERNAL_SAMPLERS}.
 * @throws MidstepError (at the start of a run) when the sampler's kernels do not fit.
 */
export function externalScoreModel(o: ExternalScoreOptions): ScoreModel {
  if (!Number.isInteger(o.dim) || o.dim < 1) throw new MidstepError(`external score ${o.name}: dim ${o.dim} is not a positive integer`);
  const d = o.dim;
  const s = new Float64Array(d), xv = new Float64Array(d);
  return {
    name: o.name,
    dim: d,
    shader: 'score-external',
    defines: { EXT_SCORE: (o.output ?? 'score') === 'score', EXT_X0: o.output === 'x0' },
    evalPoint: (x, off, t, sOut, x0Out) => {
      if (!o.reference) throw new MidstepError(`external score ${o.name} has no float64 reference; pass reference to run on the CPU`);
      for (let j = 0; j < d; j++) xv[j] = x[off + j]!;
      o.reference(xv, t, s);
      const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t);
      for (let j = 0; j < d; j++) {
        if (sOut) sOut[j] = s[j]!;
        if (x0Out) x0Out[j] = (xv[j]! + sig2 * s[j]!) / m;
      }
    },
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice, run?: ScoreRunContext): ScoreBindings {
      if (!run) throw new MidstepError(`external score ${o.name}: needs the run's context (particles, rows, state) to create its buffers`);
      checkExternalKernels(`external score ${o.name}`, run.kernels);
      const scores = device.createBuffer({ label: `${o.name} scores`, size: Math.max(16, 4 * run.particles * d), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      const table = new Float32Array((run.rows.length * TIME_RECORD_BYTES) / 4 || 4);
      run.rows.forEach((r, i) => table.set([r.c[4]!, r.c[5]!, r.c[6]!, 0], (i * TIME_RECORD_BYTES) / 4));
      const times = device.createBuffer({ label: `${o.name} times`, size: table.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(times, 0, table);
      return {
        entries: [{ binding: 0, resource: { buffer: scores } }],
        destroy: () => {
          scores.destroy();
          times.destroy();
        },
        encodeBeforeRow: (encoder, i) => {
          const r = run.rows[i]!;
          o.encode(encoder, {
            round: i, points: run.state, times, timeOffset: i * TIME_RECORD_BYTES, scores, count: run.particles, dim: d,
            t: r.c[4]!, m: r.c[5]!, sig2: r.c[6]!,
          });
        },
      };
    },
  };
}
