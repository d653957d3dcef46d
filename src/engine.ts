/**
 * The GPU engine: plans a run, builds (and caches) the kernels, encodes every step of the run into
 * command buffers with no CPU-GPU round trip per step, and reads the particles back once.
 */
import { captureCheckpoint, restoreCheckpoint, runKey, type Checkpoint, type NamedBuffer } from './checkpoint.js';
import { CancelledError, DeviceError, MidstepError, RunOptionError } from './errors.js';
import { BufferTracker } from './gpu/buffer-tracker.js';
import { asRunError, throwIfLost, type RunPosition } from './gpu/device-loss.js';
import { resolveEngineRequest } from './engine-request.js';
import { dropParticles, faultError, FaultCheck, FaultCheckKernels, type NonFinitePolicy } from './gpu/fault-check.js';
import { checkRunMemory, runBuffers } from './gpu/run-memory.js';
import { planChunks, RunMemoryError, runFootprint, type PerParticleBuffer, type ScorePassBytes } from './gpu/chunk-plan.js';
import { composeShader, type ShaderDefines } from './gpu/compose.js';
import { acquireDevice, type GpuContext } from './gpu/device.js';
import { settle, type GpuWaitMode } from './gpu/quiet-wait.js';
import { resolveRun, type RunSettings } from './run-request.js';
import { adapterTraits, chooseScoreLayout, chooseScorePlacement, STAGED_MIN_DIM, type ScorePlacement } from './gpu/kernel-select.js';
import { gmmStagedScoreModel, MixturePointsKernel, pointsFit } from './scores/gmm-points-score.js';
import { EXTERNAL_SAMPLERS } from './scores/external-score.js';
import { resolveUpdateLayout, type UpdateLayout } from './gpu/update-layout.js';
import { gmmPassScoreModel, PASS_AUTO_MIN_NFE, PASS_SAMPLERS } from './scores/gmm-pass-score.js';
import { gmmScoreModel } from './scores/gmm-score.js';
import { MixtureScoreKernel, layoutChunk, runTableBytes } from './scores/mixture-score-kernel.js';
import type { ScoreBindings, ScoreModel } from './scores/types.js';
import { ROW_COEFFS, rowEvals, type KernelSpec, type PlanBuffer, type SamplerPlan, type StepRow } from './samplers/types.js';
import { GaussianMixture } from './targets/gmm.js';
import { SnapshotRecorder, type RunSnapshots, type SnapshotOptions } from './snapshots.js';

/** Invocations per workgroup of the thread-per-particle kernels. */
export const WORKGROUP_SIZE = 64;
/** The kernel that draws x_T ~ N(0, I). */
const INIT_KERNEL: KernelSpec = { shader: 'init-normal', defines: {}, wantScore: false, wantX0: false };
/** The same draws, one invocation per (particle, vec4 block), for runs with the per-block update layout. */
const initBlockedKernel = (dim: number): KernelSpec => ({ shader: 'init-normal-blocked', defines: {}, wantScore: false, wantX0: false, lanes: Math.ceil(dim / 4) });

/** Bytes per step row in the step uniform table (the uniform dynamic-offset alignment). */
const ROW_BYTES = 256;

/** Progress of a run, reported between submitted batches of steps. */
export interface RunProgress {
  /** Steps (dispatches) done. */
  stepsDone: number;
  steps: number;
  /** Sequential score-evaluation rounds done, and in all. */
  roundsDone: number;
  rounds: number;
}

/** A run: settings plus the distribution to sample. */
export interface SampleRequest extends RunSettings {
  /** A Gaussian-mixture target (its exact score is used) or any score model. */
  target: GaussianMixture | ScoreModel;
  /** Called after each submitted batch of steps. */
  onProgress?: (p: RunProgress) => void;
  /** Cancels the run between batches; the promise then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Keep the particles on the GPU and return the buffer (the caller destroys it) instead of reading back. */
  keepBuffer?: boolean;
  /** Steps per submitted command buffer. Default: all at once, or about 20 batches when onProgress/signal/onCheckpoint is given. */
  stepsPerSubmit?: number;
  /** Copy the first k particles after each submitted batch (about 20 by default) for a replay; read back once at the end. */
  snapshots?: SnapshotOptions;
  /**
   * What to do when the on-GPU check finds particles with NaN or Inf coordinates: `'error'`
   * (default: the run rejects with a NumericalError naming the first round and the particle count),
   * `'exclude'` (drop those particles from `samples` and report them in `nonFinite`), `'ignore'`
   * (no check).
   */
  onNonFinite?: NonFinitePolicy;
  /** Steps between fault checks. Default: about 16 checks per run, plus one after the last step. */
  faultCheckEvery?: number;
  /** Called after each completed batch with the run's state; pass it as `resumeFrom` to continue from there. */
  onCheckpoint?: (cp: Checkpoint) => void | Promise<void>;
  /** Resume from a checkpoint of the same run (same settings and target): the result is bit-identical to an uninterrupted run. */
  resumeFrom?: Checkpoint;
  /** Split the run into chunks of at most this many particles (default: as many as the adapter's buffers hold). */
  maxChunkParticles?: number;
  /** Most device bytes one chunk may allocate (default: bounded by the per-buffer limits only). */
  deviceBudgetBytes?: number;
  /**
   * Where a Gaussian-mixture target's score is evaluated: `'fused'` inside each sampler kernel (one
   * thread per particle), `'pass'` as a separate tiled score pass before each step (axis-aligned
   * mixtures with euler-maruyama, ddpm, ddim, heun, dpmpp-2m: PASS_SAMPLERS), `'staged'` by the
   * staged mixture score at points with their own times (axis-aligned, d >= 16, K <= 16, the
   * samplers that evaluate inside their kernels too: src/scores/gmm-points-score.ts), `'auto'`
   * (default): the pass where {@link chooseScorePlacement} says it is faster for this d and adapter
   * and the nfe is at least the sampler's PASS_AUTO_MIN_NFE (heun: 10); for the other samplers the
   * staged score on software adapters from d = STAGED_MIN_DIM; else fused.
   */
  scoreLayout?: 'auto' | ScorePlacement;
  /**
   * How the update kernels map invocations to the state when the score is already in a buffer (the
   * mixture score pass): `'particle'` one invocation per particle looping over d,
   * `'block'` one invocation per (particle, vec4 block), `'auto'` (default): by d and adapter
   * (`chooseUpdateLayout`, src/gpu/update-layout.ts). Both give the same bits; other runs always use `'particle'`.
   */
  updateLayout?: 'auto' | UpdateLayout;
}

/** What the fault checks of a run found. */
export interface NonFiniteReport {
  /** Non-finite particles seen by each check, in order. */
  counts: number[];
  /** Particles dropped (onNonFinite: 'exclude'), or found (when none were). */
  excluded: number;
  /** Their global indices (offset + local index). */
  excludedIndices: number[];
}

/** Options of an {@link Engine}. */
export interface EngineOptions {
  /** Bytes of GPU memory one run may allocate in all; a run that needs more fails before allocating. Default: no budget (only the device's per-buffer limits). */
  memoryBudget?: number;
  /**
   * How runs wait for the GPU: `'sleep'` (the thread sleeps in 1 ms slices, src/gpu/quiet-wait.ts)
   * or `'await'` (a plain await; in Node, Dawn's binding then busy-polls a core for the whole wait,
   * which on a software adapter slows the kernels 1.6-1.8x on 2 cores). Default: the context's
   * (`'sleep'` in Node, `'await'` in browsers).
   */
  gpuWait?: GpuWaitMode;
}

/** What a run returns. */
export interface SampleResult {
  /** The particles at delta, P x d row-major float32 (null when keepBuffer); without the excluded ones. */
  samples: Float32Array | null;
  /** The GPU buffer holding the particles (only with keepBuffer). */
  buffer: GPUBuffer | null;
  sampler: string;
  target: string;
  dim: number;
  particles: number;
  offset: number;
  seed: number;
  /** Score evaluations per particle. */
  nfe: number;
  /** Score evaluations per particle that the run really made, on average: equals `nfe` except for samplers with a random count (poisson-midpoint, whose `nfe` is the expectation). */
  nfeRealised: number;
  /** Sequential depth in score evaluations. */
  rounds: number;
  /** Dispatches (steps) of the run. */
  steps: number;
  grid: string;
  tMax: number;
  delta: number;
  options: Record<string, number | string>;
  /** Wall time of the run, planning to readback, in seconds. */
  seconds: number;
  backend: 'webgpu';
  adapter: string;
  /** x_T and the state after each batch, of the first k particles (only with `snapshots`). */
  snapshots: RunSnapshots | null;
  /** What the fault checks found (null with onNonFinite: 'ignore'). `particles` counts the rows returned. */
  nonFinite: NonFiniteReport | null;
  /** Particle chunks the run was split into (1 when it fit one binding). */
  chunks?: number;
  /** Where the score was evaluated: fused into the sampler kernels, a separate pass, or a score model's own way. */
  scoreLayout?: ScorePlacement | 'model';
  /** How the update kernels were laid out (see {@link SampleRequest.updateLayout}). */
  updateLayout?: UpdateLayout;
}

interface Kernel {
  pipeline: GPUComputePipeline;
  group0: GPUBindGroupLayout;
  group1: GPUBindGroupLayout;
}

/** Turns a target or model into the score model the kernels call. */
export function toScoreModel(target: GaussianMixture | ScoreModel): ScoreModel {
  return target instanceof GaussianMixture ? gmmScoreModel(target) : target;
}

/** Workgroup grid for `count` invocations: (x, y) with x <= the per-dimension limit. */
export function dispatchGrid(count: number, maxPerDim: number): { x: number; y: number; rowStride: number } {
  const groups = Math.max(1, Math.ceil(count / WORKGROUP_SIZE));
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new RunOptionError('particles', count, `at most ${maxPerDim * maxPerDim * WORKGROUP_SIZE} per dispatch`);
  return { x, y, rowStride: x * WORKGROUP_SIZE };
}

/**
 * A sampling engine on one WebGPU device. Create it once, run many samples; pipelines are cached.
 *
 * @example
 * ```ts
 * import { acquireNodeDevice, Engine, loadTarget } from 'midstep/node';
 * const engine = new Engine(await acquireNodeDevice());
 * const r = await engine.sample({ target: loadTarget('ring2d'), sampler: 'ddim', nfe: 20, particles: 10000, seed: 1 });
 * console.log(r.adapter, r.nfe, r.rounds, r.samples!.length);
 * ```
 */
export class Engine {
  private readonly kernels = new Map<string, Promise<Kernel>>();
  /** Live GPU buffers of this engine's runs (for leak checks). */
  readonly buffers = new BufferTracker();
  private readonly faultKernels: FaultCheckKernels;
  /** Compiled score-pass kernels, by target. */
  private readonly passKernels = new WeakMap<GaussianMixture, Promise<MixtureScoreKernel>>();
  private readonly stagedKernels = new WeakMap<GaussianMixture, Map<'score' | 'x0', Promise<MixturePointsKernel>>>();

  constructor(readonly gpu: GpuContext, readonly options: EngineOptions = {}) {
    this.faultKernels = new FaultCheckKernels(gpu.device, WORKGROUP_SIZE);
  }

  /** How this engine waits for GPU promises (options.gpuWait, else the context's). */
  private get waitMode(): GpuWaitMode {
    return this.options.gpuWait ?? this.gpu.waitMode ?? 'await';
  }

  /** Whether the device is lost: the engine cannot run any more; make a new one on a new device. */
  get lost(): boolean {
    return this.gpu.lostReason !== null;
  }

  /** An engine on the browser's WebGPU adapter (`navigator.gpu`). */
  static async fromNavigator(options: { powerPreference?: GPUPowerPreference } = {}): Promise<Engine> {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    return new Engine(await acquireDevice(gpu, { ...options, where: 'this browser' }));
  }

  /** The adapter the engine runs on. */
  get adapterName(): string {
    return this.gpu.adapterName;
  }

  /** Largest particle count one run takes: the state must fit one storage binding. */
  maxParticles(dim: number): number {
    const lim = this.gpu.device.limits;
    const bytes = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize);
    return Math.floor(bytes / (4 * dim));
  }

  /**
   * The score model of a run of `sampler`: a Gaussian mixture's score fused into the kernels or as
   * a separate pass (request.scoreLayout; 'auto' by d and adapter), any other model as it is.
   * @throws RunOptionError for a scoreLayout that is unknown or impossible here.
   */
  private async placeScore(request: SampleRequest, fused: ScoreModel, sampler: string, kernels: readonly KernelSpec[]): Promise<{ model: ScoreModel; layout: ScorePlacement | 'model' }> {
    const placement = this.scorePlacement(request, sampler);
    if (placement === 'staged') {
      const t = request.target as GaussianMixture;
      // the form the kernels read: x0hat when every evaluating kernel wants it (accelerated-sde,
      // heroism, parallel-midpoint: x0 from an f32 score is 1e-3 off at large t), else the score
      const evaluating = kernels.filter((k) => k.wantScore || k.wantX0);
      const output = evaluating.length > 0 && evaluating.every((k) => k.wantX0 && !k.wantScore) ? 'x0' : 'score';
      let byOutput = this.stagedKernels.get(t);
      if (!byOutput) this.stagedKernels.set(t, (byOutput = new Map()));
      let kernel = byOutput.get(output);
      if (!kernel) {
        kernel = MixturePointsKernel.create(this.gpu.device, t, output);
        kernel.catch(() => byOutput.delete(output));
        byOutput.set(output, kernel);
      }
      return { model: gmmStagedScoreModel(t, await settle(kernel, this.waitMode)), layout: 'staged' };
    }
    if (placement !== 'pass') return { model: fused, layout: placement };
    const t = request.target as GaussianMixture;
    const traits = adapterTraits(this.gpu.device, this.gpu.isSoftware);
    let kernel = this.passKernels.get(t);
    if (!kernel) {
      kernel = MixtureScoreKernel.create(this.gpu.device, t, chooseScoreLayout(t.dim, t.K, traits));
      kernel.catch(() => this.passKernels.delete(t));
      this.passKernels.set(t, kernel);
    }
    return { model: gmmPassScoreModel(t, await settle(kernel, this.waitMode)), layout: 'pass' };
  }

  /**
   * Where the score of a run of `sampler` is evaluated (a pure function of the request, the
   * sampler and the adapter, so the memory check before allocating knows about the score pass).
   * @throws RunOptionError for a scoreLayout that is unknown or impossible here.
   */
  private scorePlacement(request: SampleRequest, sampler: string): ScorePlacement | 'model' {
    const want = request.scoreLayout ?? 'auto';
    if (want !== 'auto' && want !== 'fused' && want !== 'pass' && want !== 'staged') throw new RunOptionError('scoreLayout', want, '"auto", "fused", "pass" or "staged"');
    const t = request.target;
    if (!(t instanceof GaussianMixture)) return 'model';
    const can = t.eigenvectors === null && PASS_SAMPLERS.includes(sampler);
    if (want === 'pass' && !can) {
      throw new RunOptionError('scoreLayout', want, '"auto", "fused" or "staged"', `the score pass needs an axis-aligned mixture and one of ${PASS_SAMPLERS.join(', ')}; got ${t.covKind} covariances and ${sampler}`);
    }
    const canStage = t.eigenvectors === null && EXTERNAL_SAMPLERS.includes(sampler) && pointsFit(t.dim, t.K);
    if (want === 'staged' && !canStage) {
      throw new RunOptionError('scoreLayout', want, '"auto", "fused" or "pass"', `the staged mixture score needs an axis-aligned mixture with d >= 16 and K <= 16 and one of ${EXTERNAL_SAMPLERS.join(', ')}; got ${t.covKind} covariances, d = ${t.dim}, K = ${t.K} and ${sampler}`);
    }
    if (want === 'staged') return 'staged';
    const traits = adapterTraits(this.gpu.device, this.gpu.isSoftware);
    if (want === 'auto' && !can && canStage && this.gpu.isSoftware && t.dim >= STAGED_MIN_DIM) return 'staged';
    if (!can || want === 'fused' || (want === 'auto' && (chooseScorePlacement(t.dim, t.K, traits) === 'fused' || request.nfe < (PASS_AUTO_MIN_NFE[sampler] ?? 0)))) return 'fused';
    return 'pass';
  }

  /** Fixed bytes of the score pass of a run of `rows` rows, or undefined when the run has none. */
  private scorePassBytes(request: SampleRequest, sampler: string, rows: number): ScorePassBytes | undefined {
    if (this.scorePlacement(request, sampler) !== 'pass') return undefined;
    const t = request.target as GaussianMixture;
    const lim = this.gpu.device.limits;
    const layout = chooseScoreLayout(t.dim, t.K, adapterTraits(this.gpu.device, this.gpu.isSoftware));
    return { tableBytes: runTableBytes(t.dim, t.K, rows, layout.uniformTable ? lim.minUniformBufferOffsetAlignment : lim.minStorageBufferOffsetAlignment, !!layout.gemm, layoutChunk(layout)) };
  }

  /**
   * Per-particle buffers of a staged score (src/scores/external-score.ts: the points, times and
   * scores of one round and the cache of a row's evaluations, each over the particles x lanes of
   * the widest evaluating kernel), so that chunks are planned to fit them: an app's external score
   * (`model` staged) or the staged mixture score; none for any other score. The app's own buffers
   * (its network's weights, scratch) are not known here.
   */
  private stagedBytes(request: SampleRequest, sampler: string, plan: SamplerPlan, dim: number, model: ScoreModel): PerParticleBuffer[] {
    if (model.defines.STAGED !== true && this.scorePlacement(request, sampler) !== 'staged') return [];
    const evals = plan.rows.map((r) => rowEvals(r, plan.kernels[r.kernel]!));
    const lanes = Math.max(1, ...plan.rows.map((r, i) => (evals[i]! > 0 ? (plan.kernels[r.kernel]!.lanes ?? 1) : 1)));
    const most = Math.max(0, ...evals);
    return [
      { name: 'staged score points', bytesPerParticle: 4 * lanes * dim },
      { name: 'staged score times', bytesPerParticle: 16 * lanes },
      { name: 'staged score output', bytesPerParticle: 4 * lanes * dim },
      { name: 'staged score cache', bytesPerParticle: 4 * most * lanes * dim },
    ];
  }

  /** Builds (or reuses) the pipeline of kernel `spec` for `model`, with `buffers` extra bindings. */
  private kernel(model: ScoreModel, spec: KernelSpec, buffers: readonly PlanBuffer[]): Promise<Kernel> {
    const defines: ShaderDefines = {
      STAGED: false, // true only for staged external scores (src/scores/external-score.ts)
      ...model.defines,
      ...spec.defines,
      DIM: model.dim,
      DIM4: Math.ceil(model.dim / 4),
      WG_SIZE: WORKGROUP_SIZE,
      LANES: spec.lanes ?? 1,
      WANT_SCORE: spec.wantScore,
      WANT_X0: spec.wantX0,
    };
    // plan buffers bound read-only: the listed ones and the indirect-argument buffer
    const readOnly = buffers.map((b) => (spec.readOnly ?? []).includes(b.name) || spec.indirect?.buffer === b.name);
    const key = `${model.shader}|${spec.shader}|${readOnly.map(Number).join('')}|${JSON.stringify(Object.entries(defines).sort())}`;
    let p = this.kernels.get(key);
    if (!p) {
      p = this.buildKernel([model.shader, spec.shader], defines, readOnly, model);
      this.kernels.set(key, p);
      p.catch(() => this.kernels.delete(key));
    }
    return p;
  }

  private async buildKernel(shaders: string[], defines: ShaderDefines, readOnly: readonly boolean[], model: ScoreModel): Promise<Kernel> {
    const device = this.gpu.device;
    const code = composeShader(shaders, defines, model.sources);
    const module = device.createShaderModule({ label: shaders.join('+'), code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      throw new MidstepError(`WGSL of ${shaders.join(' + ')} does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    }
    const storage = (binding: number, ro = false): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: ro ? 'read-only-storage' : 'storage' } });
    const group0 = device.createBindGroupLayout({
      label: 'sampler state',
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
        storage(2),
        ...readOnly.map((ro, i) => storage(3 + i, ro)),
      ],
    });
    const group1 = device.createBindGroupLayout({ label: 'score model', entries: model.layoutEntries() });
    const pipeline = await device.createComputePipelineAsync({
      label: shaders.join('+'),
      layout: device.createPipelineLayout({ bindGroupLayouts: [group0, group1] }),
      compute: { module, entryPoint: 'main' },
    });
    return { pipeline, group0, group1 };
  }

  /**
   * Runs a sampler over `request.particles` particles and returns them at delta. A run larger than
   * one storage binding is split into particle chunks (src/gpu/chunk-plan.ts) run one after
   * another; the result equals the unchunked run, since the noise is keyed by global particle index.
   * @throws RunOptionError / SamplerOptionError for bad settings, RunMemoryError (before
   * allocating) for a run that cannot fit, CancelledError when aborted, DeviceError when the device
   * reports an error or is lost.
   */
  async sample(request: SampleRequest): Promise<SampleResult> {
    const started = performance.now();
    const model = toScoreModel(request.target);
    const run = resolveRun(request, model.dim);
    const scorePass = this.scorePassBytes(request, run.sampler.name, run.plan.rows.length);
    const perParticle = this.stagedBytes(request, run.sampler.name, run.plan, model.dim, model);
    const footprint = runFootprint(run.plan, model.dim, { readback: !request.keepBuffer, scorePass, perParticle });
    const split = planChunks(run.particles, footprint, this.gpu.device.limits, {
      maxChunkParticles: request.maxChunkParticles,
      deviceBudgetBytes: request.deviceBudgetBytes,
    });
    if (split.chunks.length === 1) return { ...(await this.sampleChunk(request)), chunks: 1 };
    if (request.keepBuffer) {
      const perParticle = footprint.buffers.reduce((sum, b) => sum + b.bytesPerParticle, 0);
      throw new RunMemoryError(`keepBuffer needs the run in one buffer, but ${run.particles} particles need ${split.chunks.length} chunks (${split.limitedBy}); read the samples back instead`,
        run.particles * perParticle, split.chunks[0]!.particles * perParticle);
    }
    if (request.onCheckpoint || request.resumeFrom) {
      throw new RunOptionError(request.resumeFrom ? 'resumeFrom' : 'onCheckpoint', 'a run of ' + split.chunks.length + ' chunks',
        `a run that fits one chunk (${split.limitedBy}); split it with --offset / offset into runs of at most ${split.chunks[0]!.particles} particles and checkpoint those`);
    }
    const d = model.dim, n = split.chunks.length;
    const parts: Float32Array[] = [];
    let last: SampleResult | null = null;
    let first: SampleResult | null = null;
    let nonFinite: NonFiniteReport | null = null;
    let realised = 0;
    for (const [c, chunk] of split.chunks.entries()) {
      const onProgress = request.onProgress && ((p: RunProgress) => request.onProgress!({
        stepsDone: c * p.steps + p.stepsDone, steps: n * p.steps, roundsDone: c * p.rounds + p.roundsDone, rounds: n * p.rounds,
      }));
      // snapshots follow the first k particles, which live in the first chunk
      last = await this.sampleChunk({ ...request, particles: chunk.particles, offset: run.offset + chunk.start, onProgress, snapshots: c === 0 ? request.snapshots : undefined });
      first ??= last;
      parts.push(last.samples!);
      realised += last.nfeRealised * chunk.particles;
      if (last.nonFinite) {
        const nf: NonFiniteReport = nonFinite ?? { counts: [], excluded: 0, excludedIndices: [] };
        last.nonFinite.counts.forEach((v, i) => (nf.counts[i] = (nf.counts[i] ?? 0) + v));
        nf.excluded += last.nonFinite.excluded;
        nf.excludedIndices.push(...last.nonFinite.excludedIndices);
        nonFinite = nf;
      }
    }
    // chunks may return fewer rows than particles when non-finite ones were excluded
    const samples = new Float32Array(parts.reduce((a, x) => a + x.length, 0));
    parts.reduce((at, x) => (samples.set(x, at), at + x.length), 0);
    return {
      ...last!, samples, particles: samples.length / d, offset: run.offset, chunks: n, snapshots: first!.snapshots, nonFinite,
      nfeRealised: realised / run.particles,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** One chunk of a run: the particles fit one binding. */
  private async sampleChunk(request: SampleRequest): Promise<SampleResult> {
    const started = performance.now();
    const fused = toScoreModel(request.target);
    const run = resolveRun(request, fused.dim, this.maxParticles(fused.dim));
    const { model, layout: scoreLayout } = await this.placeScore(request, fused, run.sampler.name, run.plan.kernels);
    const { faultCheck, batch, batched } = resolveEngineRequest(request, run.plan.rows.length);
    // per-block update kernels read the score from a buffer (shaders/score-external.wgsl)
    const canBlock = model.shader === 'score-external' && run.plan.kernels.some((k) => k.blocked);
    const updateLayout = resolveUpdateLayout(request.updateLayout, canBlock, model.dim, adapterTraits(this.gpu.device, this.gpu.isSoftware),
      `the per-block update needs the score in a buffer (the mixture score pass) and a sampler with a per-block kernel (euler-maruyama, ddpm, ddim, dpmpp-2m); got score layout ${scoreLayout} and ${run.sampler.name}`);
    if (faultCheck.policy === 'exclude' && request.keepBuffer) throw new RunOptionError('onNonFinite', 'exclude', '"error" or "ignore" with keepBuffer (excluded rows cannot be dropped from a kept buffer)');
    const lim = this.gpu.device.limits;
    const scorePass = scoreLayout === 'pass' ? this.scorePassBytes(request, run.sampler.name, run.plan.rows.length) : undefined;
    const perParticle = this.stagedBytes(request, run.sampler.name, run.plan, model.dim, fused);
    checkRunMemory(runBuffers(run.plan, run.particles, model.dim, { readback: !request.keepBuffer, faultCheck: faultCheck.policy !== 'ignore', scorePass, perParticle }),
      { maxBufferSize: lim.maxBufferSize, maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, budget: this.options.memoryBudget ?? Infinity }, run.particles);
    if (request.signal?.aborted) throw new CancelledError('run cancelled before it started');
    const device = this.gpu.device;
    if (this.gpu.lostReason) throw new DeviceError(`the WebGPU device was lost (${this.gpu.lostReason}); create a new engine`);
    const uncapturedBefore = this.gpu.uncapturedErrors.length;
    const plan = updateLayout === 'block' ? { ...run.plan, kernels: run.plan.kernels.map((k) => k.blocked ?? k) } : run.plan;
    const initKernel = updateLayout === 'block' ? initBlockedKernel(model.dim) : INIT_KERNEL;
    // build only the kernels some row dispatches
    const used = new Set(plan.rows.map((r) => r.kernel));
    const [checkKernel, init, ...kernels] = await settle(Promise.all([
      faultCheck.policy !== 'ignore' ? this.faultKernels.get(model.dim) : null,
      this.kernel(model, initKernel, []),
      ...plan.kernels.map((k, i) => (used.has(i) ? this.kernel(model, k, plan.buffers) : null)),
    ]), this.waitMode);

    const P = run.particles, d = model.dim, rows = plan.rows;
    const maxDim = device.limits.maxComputeWorkgroupsPerDimension;
    const grid = dispatchGrid(P, maxDim);
    const initGrid = dispatchGrid(P * (initKernel.lanes ?? 1), maxDim);
    const grids = plan.kernels.map((k) => dispatchGrid(P * (k.lanes ?? 1), maxDim));
    const stateBytes = P * d * 4;
    const owned: { destroy(): void }[] = [];
    const create = (desc: GPUBufferDescriptor) => this.buffers.create(device, desc);
    const buffer = (label: string, size: number, usage: number) => {
      const b = create({ label, size, usage });
      owned.push(b);
      return b;
    };
    const pos: RunPosition = { what: `a ${run.sampler.name} run`, stepsDone: 0, steps: rows.length, checkpointStep: request.resumeFrom?.stepsDone ?? -1 };
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let scopesOpen = 2;
    const state = create({
      label: 'particles', size: stateBytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    let keepState = false;
    try {
      const extra = plan.buffers.map((b) =>
        buffer(b.name, Math.max(16, 4 * (b.words ?? P * (b.floatsPerParticle ?? 0))), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | (b.indirect ? GPUBufferUsage.INDIRECT : 0)));
      plan.buffers.forEach((b, i) => {
        if (b.init) device.queue.writeBuffer(extra[i]!, 0, b.init.buffer, b.init.byteOffset, b.init.byteLength);
      });
      const indirectArgs = plan.kernels.map((k) => {
        if (!k.indirect) return null;
        const i = plan.buffers.findIndex((b) => b.name === k.indirect!.buffer && b.indirect);
        if (i < 0) throw new MidstepError(`kernel ${k.shader}: indirect buffer "${k.indirect.buffer}" is not an indirect plan buffer`);
        return { buffer: extra[i]!, offset: k.indirect.offset };
      });
      const k0 = run.seed >>> 0, k1 = Math.floor(run.seed / 4294967296) >>> 0;
      // one run uniform per dispatch grid shape (the row stride differs with lanes)
      const runUniform = (rowStride: number) => {
        const b = buffer('run', 32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
        device.queue.writeBuffer(b, 0, new Uint32Array([k0, k1, run.offset, P, rowStride, 0, 0, 0]));
        return b;
      };
      const table = buffer('steps', Math.max(1, rows.length + 1) * ROW_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      device.queue.writeBuffer(table, 0, packRows(rows));
      const scoreBindings: ScoreBindings = model.createBindings(this.buffers.trackedDevice(device), { particles: P, rows, kernels: plan.kernels, state });
      owned.push(scoreBindings);

      const group0 = (k: Kernel, rowStride: number, withExtra: boolean) =>
        device.createBindGroup({
          layout: k.group0,
          entries: [
            { binding: 0, resource: { buffer: runUniform(rowStride) } },
            { binding: 1, resource: { buffer: table, size: 80 } },
            { binding: 2, resource: { buffer: state } },
            ...(withExtra ? extra.map((b, i) => ({ binding: 3 + i, resource: { buffer: b } })) : []),
          ],
        });
      const modelGroup = (k: Kernel) => device.createBindGroup({ layout: k.group1, entries: scoreBindings.entries });
      const initGroups = [group0(init, initGrid.rowStride, false), modelGroup(init)] as const;
      const stepGroups = kernels.map((k, i) => (k ? ([group0(k, indirectArgs[i] ? 0 : grids[i]!.rowStride, true), modelGroup(k)] as const) : null));

      // rounds done after row i, for progress
      const roundsAfter: number[] = [];
      const even = plan.rounds / Math.max(1, rows.length);
      rows.reduce((acc, r, i) => (roundsAfter[i] = acc + (r.rounds ?? even)), 0);
      const faults = checkKernel ? new FaultCheck(device, checkKernel, (d) => buffer(d.label ?? 'fault-check', d.size, d.usage), state, P, rows.length, faultCheck.every, grid) : null;
      // the buffers that carry state from step to step (checkpoints)
      const stateful: NamedBuffer[] = [{ name: 'particles', buffer: state }, ...plan.buffers.map((b, i) => ({ name: `plan:${b.name}`, buffer: extra[i]! })), ...(faults?.stateBuffers ?? [])];
      const key = runKey({ sampler: run.sampler.name, nfe: run.nfe, particles: P, seed: run.seed, offset: run.offset, tMax: run.tMax, delta: run.delta, grid: run.grid, options: run.options, model: scoreLayout === 'pass' ? `${model.name} [score pass]` : scoreLayout === 'staged' ? `${model.name} [staged score]` : model.name, dim: d, faultCheckEvery: faults ? faultCheck.every : 0 });
      const start = request.resumeFrom ? request.resumeFrom.stepsDone : 0;
      if (request.resumeFrom) restoreCheckpoint(device, request.resumeFrom, stateful, key, rows.length);
      const snaps = request.snapshots ? new SnapshotRecorder(device, request.snapshots, P, Math.max(1, Math.ceil((rows.length - start) / Math.max(1, batch))), { seed: run.seed, offset: run.offset, dim: d }) : null;
      if (snaps) owned.push(snaps);
      for (let first = start; first === start || first < rows.length; first += batch) {
        const end = Math.min(rows.length, first + batch);
        const encoder = device.createCommandEncoder({ label: `${run.sampler.name} steps ${first}..${end}` });
        let pass = encoder.beginComputePass();
        if (first === 0 && !request.resumeFrom) {
          // x_T ~ N(0, I)
          pass.setPipeline(init!.pipeline);
          pass.setBindGroup(0, initGroups[0], [rows.length * ROW_BYTES]);
          pass.setBindGroup(1, initGroups[1]);
          pass.dispatchWorkgroups(initGrid.x, initGrid.y);
        }
        let current = -1;
        for (let i = first; i < end; i++) {
          const k = rows[i]!.kernel;
          // a staged external score replays a row once per evaluation of its kernel (rowDispatches)
          const replays = scoreBindings.rowDispatches?.(i) ?? 1;
          for (let j = 0; j < replays; j++) {
            if (scoreBindings.encodeBeforeRow) {
              // a model evaluated outside the kernels (external score) encodes its work between dispatches
              pass.end();
              scoreBindings.encodeBeforeRow(encoder, i, j);
              pass = encoder.beginComputePass();
              current = -1;
            }
            if (k !== current) {
              pass.setPipeline(kernels[k]!.pipeline);
              pass.setBindGroup(1, stepGroups[k]![1]);
              current = k;
            }
            pass.setBindGroup(0, stepGroups[k]![0], [i * ROW_BYTES]);
            const ind = indirectArgs[k];
            if (ind) pass.dispatchWorkgroupsIndirect(ind.buffer, ind.offset);
            else pass.dispatchWorkgroups(grids[k]!.x, grids[k]!.y);
          }
          if (faults?.encodeAfter(pass, i)) current = -1; // the check changed the pipeline
        }
        pass.end();
        snaps?.record(encoder, state, end, end ? Math.round(roundsAfter[end - 1]!) : 0);
        device.queue.submit([encoder.finish()]);
        if (end < rows.length && batched) {
          await settle(device.queue.onSubmittedWorkDone(), this.waitMode);
          pos.stepsDone = end;
          throwIfLost(this.gpu, pos);
          if (request.signal?.aborted) throw new CancelledError(`run cancelled after ${end} of ${rows.length} steps`);
          if (faults && faultCheck.policy === 'error') {
            // stop a broken run at the first batch boundary after its fault
            const early = await settle(faults.peek(device), this.waitMode);
            if (early.firstCheck >= 0) throw faultError(early, faults.rows, (i) => Math.round(roundsAfter[i]!), plan.rounds, P, `${run.sampler.name} on ${model.name}`);
          }
          if (request.onCheckpoint) {
            const cp = await settle(captureCheckpoint(device, create, stateful, { key, stepsDone: end, steps: rows.length, roundsDone: Math.round(roundsAfter[end - 1]!) }), this.waitMode);
            throwIfLost(this.gpu, pos);
            pos.checkpointStep = end;
            await request.onCheckpoint(cp);
          }
          request.onProgress?.({ stepsDone: end, steps: rows.length, roundsDone: Math.round(roundsAfter[end - 1]!), rounds: plan.rounds });
        }
        if (rows.length === 0) break;
      }

      pos.stepsDone = rows.length;
      let samples: Float32Array | null = null;
      const enc = device.createCommandEncoder({ label: 'readback' });
      const read = request.keepBuffer ? null : buffer('readback', stateBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
      if (read) enc.copyBufferToBuffer(state, 0, read, 0, stateBytes);
      faults?.copyOut(enc);
      // the realised nfe of samplers with a random evaluation count (plan.evalCounter)
      const counter = plan.evalCounter ? plan.buffers.findIndex((b) => b.name === plan.evalCounter!.buffer) : -1;
      const countRead = counter >= 0 ? buffer('eval-count', 8, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST) : null;
      if (countRead) enc.copyBufferToBuffer(extra[counter]!, plan.evalCounter!.word * 4, countRead, 0, 8);
      device.queue.submit([enc.finish()]);
      const [, report] = await settle(Promise.all([read?.mapAsync(GPUMapMode.READ), faults?.report(), countRead?.mapAsync(GPUMapMode.READ)]), this.waitMode);
      let nfeRealised = plan.nfe;
      if (countRead) {
        const [low, high] = new Uint32Array(countRead.getMappedRange());
        nfeRealised = plan.evalCounter!.base + (high! * 2 ** 32 + low!) / P;
        countRead.unmap();
      }
      if (read) {
        samples = new Float32Array(read.getMappedRange().slice(0));
        read.unmap();
      }
      const snapshots = snaps ? await settle(snaps.read(), this.waitMode) : null;
      scopesOpen = 0;
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      const err = validation ?? oom;
      if (err) throw new DeviceError(`WebGPU error during ${run.sampler.name} run: ${err.message}`);
      throwIfLost(this.gpu, pos);
      const uncaptured = this.gpu.uncapturedErrors.slice(uncapturedBefore);
      if (uncaptured.length) throw new DeviceError(`WebGPU reported errors outside the run's scopes during ${pos.what}: ${uncaptured.join('; ')}`);
      let nonFinite: NonFiniteReport | null = null;
      if (faults && report) {
        if (report.firstCheck >= 0 && faultCheck.policy === 'error') {
          throw faultError(report, faults.rows, (i) => Math.round(roundsAfter[i]!), plan.rounds, P, `${run.sampler.name} on ${model.name}`);
        }
        const drop = faultCheck.policy === 'exclude' ? report.bad : [];
        if (samples) samples = dropParticles(samples, d, drop);
        nonFinite = { counts: report.counts, excluded: drop.length, excludedIndices: drop.map((i) => run.offset + i) };
      }
      request.onProgress?.({ stepsDone: rows.length, steps: rows.length, roundsDone: plan.rounds, rounds: plan.rounds });
      keepState = !!request.keepBuffer;
      return {
        samples,
        buffer: keepState ? state : null,
        sampler: run.sampler.name,
        target: model.name,
        dim: d,
        particles: P - (nonFinite?.excluded ?? 0),
        offset: run.offset,
        seed: run.seed,
        nfe: plan.nfe,
        nfeRealised,
        rounds: plan.rounds,
        steps: rows.length,
        grid: run.grid,
        tMax: run.tMax,
        delta: run.delta,
        options: run.options,
        seconds: (performance.now() - started) / 1000,
        backend: 'webgpu',
        adapter: this.gpu.adapterName,
        snapshots,
        nonFinite,
        scoreLayout,
        updateLayout,
      };
    } catch (e) {
      // leave the error scopes balanced
      for (; scopesOpen > 0; scopesOpen--) await device.popErrorScope().catch(() => null);
      throw await asRunError(e, this.gpu, pos);
    } finally {
      for (const b of owned) b.destroy();
      if (!keepState) state.destroy();
    }
  }

  /** Releases the device. The engine cannot be used afterwards. */
  destroy(): void {
    this.kernels.clear();
    this.gpu.device.destroy();
  }
}

/** The step table: row i at byte offset i * 256 as StepParams (u32 step, u32 flags, 2 pad, 16 f32). */
export function packRows(rows: readonly StepRow[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(1, rows.length + 1) * ROW_BYTES);
  rows.forEach((row, i) => {
    const u = new Uint32Array(buf, i * ROW_BYTES, 4);
    u[0] = row.step;
    u[1] = row.flags;
    new Float32Array(buf, i * ROW_BYTES + 16, ROW_COEFFS).set(row.c);
  });
  return buf;
}
