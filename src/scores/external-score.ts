/**
 * External scores: the network runs in the app's own GPU work on the same device (its WebGPU
 * pipelines, ONNX Runtime Web or TensorFlow.js on WebGPU). For each round the engine hands the app
 * one buffer of points and one of per-point times (t, m, sig2), batched over every evaluation the
 * round needs (all particles, and all lanes of kernels with several per particle: parallel-midpoint's
 * R midpoints, heroism's nodes); the app encodes work that writes the scores into a buffer the
 * engine owns.
 *
 * Samplers that evaluate at intermediate points inside one kernel run by staged replay
 * (shaders/score-staged.wgsl): a row whose kernel makes n model_eval calls per invocation is
 * dispatched n + 1 times; dispatch j computes the points of call j from the cached outputs of calls
 * 0 .. j-1 and writes them into the query buffers, the app scores them, and only the last dispatch
 * stores state. The kernels are deterministic (Philox noise keyed by particle, step and stream), so
 * every replay recomputes the same points.
 *
 * Kernels that append to lists with atomics (poisson-midpoint) do so only in the last replay, so the
 * lists and counters are as with a fused score. Kernels dispatched indirectly are refused (none of the
 * samplers is: the argument buffer could not be replayed).
 */
import { MidstepError } from '../errors.js';
import { BLOCKED_LINEAR_KERNEL } from '../samplers/exponential-step.js';
import { rowEvals, type KernelSpec } from '../samplers/types.js';
import type { ScoreBindings, ScoreModel, ScoreRunContext } from './types.js';

/** Kernels whose one model_eval per dispatch is at the stored state with time slot 1 (row.c[4..6]): what the score pass (gmm-pass-score) runs with. */
export const EXTERNAL_KERNELS: readonly string[] = ['exponential-step', 'accelerated-sde'];
/** The samplers that can run with an external score. */
export const EXTERNAL_SAMPLERS: readonly string[] = ['euler-maruyama', 'ddpm', 'ddim', 'heun', 'dpmpp-2m', 'randomized-midpoint', 'parallel-midpoint', 'heroism', 'accelerated-sde', 'poisson-midpoint'];

/**
 * Checks that every kernel of a run evaluates the score once per dispatch at the stored state
 * (for the separate score pass of a mixture).
 * @throws MidstepError naming the kernel and the samplers that fit.
 */
export function checkExternalKernels(what: string, kernels: readonly KernelSpec[]): void {
  for (const k of kernels) {
    // the per-block linear step reads its block through model_eval_block, with ceil(d / 4) lanes
    const lanesOk = (k.lanes ?? 1) === 1 || k.shader === BLOCKED_LINEAR_KERNEL;
    if (!(EXTERNAL_KERNELS.includes(k.shader) || k.shader === BLOCKED_LINEAR_KERNEL) || !lanesOk || k.indirect) {
      throw new MidstepError(`${what}: kernel ${k.shader} evaluates the score inside the kernel; it runs with euler-maruyama, ddpm, ddim, dpmpp-2m, accelerated-sde`);
    }
  }
}

/**
 * Checks that every kernel of a run can be replayed for a staged external score.
 * @throws MidstepError naming the kernel and the samplers that work.
 */
export function checkStagedKernels(what: string, kernels: readonly KernelSpec[]): void {
  for (const k of kernels) {
    if (k.indirect) {
      throw new MidstepError(`${what}: kernel ${k.shader} is dispatched indirectly, which a staged replay cannot repeat; external scores run with ${EXTERNAL_SAMPLERS.join(', ')}`);
    }
  }
}

/** What the app gets for one round: a batch of `count` points to score. */
export interface ExternalRound {
  /** The round: 0-based index of this batch among all the run's batches, in order. */
  round: number;
  /** The plan row (dispatch) it belongs to, and which of the row's `evaluations` model calls it is (0-based). */
  row: number;
  evaluation: number;
  evaluations: number;
  /** Points to score, `count` x `dim` float32 row-major. Read it; do not write it. */
  points: GPUBuffer;
  /**
   * The time of each point: `count` records vec4<f32>(t, m = e^{-t}, sig2 = 1 - e^{-2t}, 0), read as
   * `array<vec4<f32>>` storage. Times differ between points in one batch (randomized midpoints).
   */
  times: GPUBuffer;
  /** Where the app writes its output (see {@link ExternalScoreOptions.output}) for every point, `count` x `dim` float32 row-major. */
  scores: GPUBuffer;
  /**
   * Points in the batch: the first `count` slots of the buffers, particles x lanes of the round's
   * kernel (slot = the kernel's invocation index). An invocation that makes fewer calls than its row
   * (poisson-midpoint's list entries past the count) leaves its slot holding the last point written
   * there, or x = 0 at t = 1 before any: finite, and its output is never read.
   */
  count: number;
  /** Capacity of the buffers in points: the largest `count` of the run (the same for every round). */
  slots: number;
  dim: number;
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
   * Must write `round.scores` for all `round.count` points. Use the GPU buffers, not
   * `queue.writeBuffer`, for per-round data: a write lands before the whole batch of rounds runs.
   */
  encode(encoder: GPUCommandEncoder, round: ExternalRound): void;
  /** Float64 version of the same score, writing s_t(x) into out (only for the CPU reference). */
  reference?: (x: Float64Array, t: number, out: Float64Array) => void;
}

/** Bytes of one record of the replay table (pass, evals, slots, 0) as u32; copied into the uniform. */
const PASS_RECORD_BYTES = 16;

/**
 * A score model whose scores come from the app's own GPU work, for the samplers in
 * {@link EXTERNAL_SAMPLERS}. Cost: a row whose kernel evaluates n times per invocation is
 * dispatched n + 1 times, with n app rounds between. poisson-midpoint's FINISH evaluates pairs that
 * overflowed its compacted list (only possible for a handful of particles); with an external score
 * there is no round for them, so such particles turn non-finite and the run's fault check reports them.
 * @throws MidstepError (at the start of a run) for a kernel dispatched indirectly, or a cache larger than one binding.
 */
export function externalScoreModel(o: ExternalScoreOptions): ScoreModel {
  if (!Number.isInteger(o.dim) || o.dim < 1) throw new MidstepError(`external score ${o.name}: dim ${o.dim} is not a positive integer`);
  const d = o.dim;
  const s = new Float64Array(d), xv = new Float64Array(d);
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  return {
    name: o.name,
    dim: d,
    shader: 'score-staged',
    defines: { STAGED: true, EXT_SCORE: (o.output ?? 'score') === 'score', EXT_X0: o.output === 'x0' },
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
    layoutEntries: () => [storage(0, 'uniform'), storage(1, 'read-only-storage'), storage(2, 'storage'), storage(3, 'storage')],
    createBindings(device: GPUDevice, run?: ScoreRunContext): ScoreBindings {
      if (!run) throw new MidstepError(`external score ${o.name}: needs the run's context (particles, rows, kernels, state) to create its buffers`);
      checkStagedKernels(`external score ${o.name}`, run.kernels);
      const evals = run.rows.map((r) => rowEvals(r, run.kernels[r.kernel]!));
      // the points of a row's rounds: one slot per invocation of its kernel
      const used = run.rows.map((r) => run.particles * (run.kernels[r.kernel]!.lanes ?? 1));
      const slots = Math.max(1, ...used.filter((_, i) => evals[i]! > 0));
      const most = Math.max(0, ...evals);
      // batch index of each row's first round
      const firstRound: number[] = [];
      evals.reduce((acc, n, i) => ((firstRound[i] = acc), acc + n), 0);
      const vecBytes = 4 * slots * d;
      const lim = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
      if (most * vecBytes > lim) {
        throw new MidstepError(`external score ${o.name}: the cache of ${most} evaluations x ${slots} slots x ${d} floats needs ${most * vecBytes} bytes, more than one binding holds (${lim}); run fewer particles per chunk (maxChunkParticles)`);
      }
      const made: GPUBuffer[] = [];
      const make = (label: string, size: number, usage: number) => {
        const b = device.createBuffer({ label: `${o.name} ${label}`, size: Math.max(16, size), usage });
        made.push(b);
        return b;
      };
      const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const points = make('points', vecBytes, S);
      const times = make('times', 16 * slots, S);
      const scores = make('scores', vecBytes, S);
      const cache = make('cache', most * vecBytes, S);
      const uniform = make('replay', PASS_RECORD_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      // replay records (j, n, slots): record j * (most + 1) + n
      const table = new Uint32Array(((most + 1) * (most + 1) * PASS_RECORD_BYTES) / 4);
      for (let n = 0; n <= most; n++) for (let j = 0; j <= n; j++) table.set([j, n, slots, 0], (j * (most + 1) + n) * 4);
      const replays = make('replay table', table.byteLength, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
      device.queue.writeBuffer(replays, 0, table);
      // unused slots stay finite for the app: x = 0 at t = 1
      const t1 = new Float32Array(4 * slots);
      for (let k = 0; k < slots; k++) t1.set([1, Math.exp(-1), -Math.expm1(-2), 0], 4 * k);
      device.queue.writeBuffer(times, 0, t1);
      return {
        entries: [uniform, cache, points, times].map((buffer, binding) => ({ binding, resource: { buffer } })),
        destroy: () => made.forEach((b) => b.destroy()),
        rowDispatches: (i) => evals[i]! + 1,
        encodeBeforeRow: (encoder, i, j) => {
          const n = evals[i]!;
          if (j > 0) {
            // the points of call j - 1 are in the query buffers: the app scores them into cache block j - 1
            o.encode(encoder, { round: firstRound[i]! + j - 1, row: i, evaluation: j - 1, evaluations: n, points, times, scores, count: used[i]!, slots, dim: d });
            encoder.copyBufferToBuffer(scores, 0, cache, (j - 1) * vecBytes, 4 * used[i]! * d);
          }
          encoder.copyBufferToBuffer(replays, (j * (most + 1) + n) * PASS_RECORD_BYTES, uniform, 0, PASS_RECORD_BYTES);
        },
      };
    },
  };
}
