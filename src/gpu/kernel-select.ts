/**
 * Kernel layout by dimension and adapter: how many particles one invocation evaluates, the
 * workgroup size, and whether a kernel stages its parameters in workgroup memory. Pure functions
 * of (d, K, adapter limits), so the choice is automatic, testable and printed by the benchmarks.
 */

import { gemmComponents, gemmCoordinates, gemmTableVec4s } from '../scores/gmm-time-table.js';

/** Adapter properties the choice depends on. */
export interface AdapterTraits {
  /** SwiftShader and other CPU implementations: loads cost far more than FMAs, registers are few. */
  isSoftware: boolean;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxUniformBufferBindingSize: number;
}

/** Layout of the tiled mixture-score kernel (shaders/score-gmm-tiled.wgsl). */
export interface ScoreLayout {
  /** Particles per invocation: every parameter loaded serves this many particles. */
  ppt: number;
  /** Invocations per workgroup. */
  wgSize: number;
  /** Copy the per-time table into workgroup memory first. */
  stage: boolean;
  /** Bind the per-time table as a uniform buffer (it fits 64 KiB) instead of a storage buffer. */
  uniformTable?: boolean;
  /**
   * Invocations per particle (default 1: the particle-tile kernel shaders/score-gmm-tiled.wgsl).
   * Above 1, shaders/score-gmm-split.wgsl: each invocation owns d / split coordinates and the
   * quadratic forms are summed in workgroup memory (ppt is then 1).
   */
  split?: number;
  /**
   * shaders/score-gmm-stream.wgsl: ppt particles per invocation, streaming over the coordinates
   * twice with the components unrolled (large d on software adapters; split is then 1).
   */
  stream?: boolean;
  /**
   * shaders/score-gmm-gemm.wgsl (software adapters, 16 <= d <= 256): the table copied into private
   * memory once per invocation, particles evaluated one after another (ppt is then 1, split 1;
   * the table is a storage buffer). Named after its first form, the square expanded into a matrix
   * product; it now evaluates h (x - a)^2 directly (the same speed on SwiftShader, more accurate).
   */
  gemm?: boolean;
  /**
   * With `gemm`: shaders/score-gmm-gemm-chunked.wgsl (software adapters, d > 256), the GEMM form
   * over chunks of this many coordinates (a multiple of 16, see {@link gemmChunkCoordinates}).
   */
  gemmChunk?: number;
}

/** Most vec4 blocks of state one invocation holds with its loops unrolled (the composer's MAX_UNROLL). */
export const MAX_SLICE4 = 16;

/**
 * Bytes of the per-time mixture table for K components in dimension d (of the GEMM table with
 * `gemm`, its coordinates padded to a multiple of `chunk`).
 */
export function tableBytes(dim: number, K: number, gemm = false, chunk = 16): number {
  if (gemm) return 16 * gemmTableVec4s(dim, K, chunk);
  return 16 * K * (1 + 2 * Math.ceil(dim / 4));
}

/**
 * Largest padded (components x coordinates) of the GEMM kernel: its code grows with it (every
 * loop unrolled: on SwiftShader the pipeline compiles in about 4 s at 1024, 8 s at 2048 and 30 s
 * at 4096) and its private table holds half as many vec4s (32 KiB per invocation at 4096).
 */
export const GEMM_MAX_KD = 4096;

/** Largest d of the GEMM kernel (16 groups of 16 coordinates, the composer's unroll limit). */
export const GEMM_MAX_DIM = 256;

/** Whether the GEMM kernel serves (d, K) on a software adapter. */
export function gemmFits(dim: number, K: number): boolean {
  return dim >= 16 && dim <= GEMM_MAX_DIM && gemmComponents(K) * gemmCoordinates(dim) <= GEMM_MAX_KD;
}

/**
 * Largest padded (components x coordinates) of one chunk of the chunked GEMM kernel: its unrolled
 * code is that of the unchunked kernel at this size (about 8 s to compile on SwiftShader).
 */
export const GEMM_CHUNK_KD = 2048;

/**
 * Coordinates per chunk of the chunked GEMM kernel for (d, K): the fewest chunks of at most
 * {@link GEMM_CHUNK_KD} / KP coordinates, evened out and rounded up to 16 (d = 784, K = 16: 7
 * chunks of 112, no padding; d = 1024: 8 of 128).
 */
export function gemmChunkCoordinates(dim: number, K: number): number {
  const groups = Math.ceil(dim / 16);
  const chunks = Math.ceil((16 * groups * gemmComponents(K)) / GEMM_CHUNK_KD);
  return 16 * Math.ceil(groups / chunks);
}

/**
 * The tiled mixture-score layout for dimension `dim` with `K` components.
 * Private state per invocation is 2 * ppt * d floats (x and the score), so
 * up to d = 64 an invocation evaluates 4 particles; above, a particle is split over 2 .. 16
 * invocations (d up to 1024 with unrolled slices of at most 64 coordinates), the quadratic forms
 * summed in workgroup memory. On SwiftShader, table loads (not FMAs) bound a thread-per-particle kernel, so reuse
 * matters most there; staging the table in workgroup memory measured 2-3x slower on SwiftShader,
 * so it is used on hardware adapters only (where workgroup memory is the fast path). The table
 * is a uniform buffer when it fits one uniform binding. Measured on SwiftShader (bench/results):
 * 4 particles per invocation beat 1, 2 and 8 at d = 64; a two-pass variant (quadratic forms, then
 * the weighted sum, components unrolled) was not faster and was dropped. Above d = 64 on
 * SwiftShader (K <= 16), the streaming kernel (4 particles per invocation, both passes over d in
 * vec4 blocks with the components unrolled) measured about 3x the split kernel at d = 256 and 1024.
 * For 16 <= d <= 256 on SwiftShader (padded K x d <= 4096) the private-table kernel (see
 * {@link ScoreLayout.gemm}) replaces the tiled one, and above d = 256 (K <= 16) its chunked form
 * (see {@link ScoreLayout.gemmChunk}; measured 2.1-2.6x the streaming kernel at d = 784, 1024)
 * replaces the streaming one, unless `opts.gemm` is false (the benchmark's before / after).
 */
export function chooseScoreLayout(dim: number, K: number, a: AdapterTraits, opts: { gemm?: boolean } = {}): ScoreLayout {
  const wgSize = Math.min(64, a.maxComputeInvocationsPerWorkgroup);
  const bytes = tableBytes(dim, K);
  const uniform = bytes <= Math.min(65536, a.maxUniformBufferBindingSize);
  const d4 = Math.ceil(dim / 4);
  if (a.isSoftware && opts.gemm !== false && gemmFits(dim, K)) {
    // a CPU implementation at 16 <= d <= 256: the private-table GEMM kernel (measured 1.2-1.4x the
    // tiled kernel at d = 16, 64 and 4-5x the streaming one at d = 128, 256)
    return { ppt: 1, wgSize: Math.min(4, a.maxComputeInvocationsPerWorkgroup), stage: false, uniformTable: false, split: 1, gemm: true };
  }
  if (a.isSoftware && opts.gemm !== false && dim > GEMM_MAX_DIM && K <= MAX_SLICE4) {
    // larger d on a CPU implementation: the same kernel over chunks of coordinates
    return { ppt: 1, wgSize: Math.min(4, a.maxComputeInvocationsPerWorkgroup), stage: false, uniformTable: false, split: 1, gemm: true, gemmChunk: gemmChunkCoordinates(dim, K) };
  }
  if (d4 > MAX_SLICE4 && a.isSoftware && K <= MAX_SLICE4) {
    // large d on a CPU implementation: stream over d (no workgroup reductions, no barriers)
    return { ppt: 4, wgSize, stage: false, uniformTable: uniform, split: 1, stream: true };
  }
  if (d4 > MAX_SLICE4) {
    // large d: split each particle over invocations so that every slice is unrolled
    let split = 1;
    while (split < 16 && Math.ceil(d4 / split) > MAX_SLICE4) split *= 2;
    return { ppt: 1, wgSize, stage: false, uniformTable: uniform, split };
  }
  const stage = !a.isSoftware && bytes <= a.maxComputeWorkgroupStorageSize;
  return { ppt: 4, wgSize, stage, uniformTable: !stage && uniform, split: 1 };
}

/** The traits of a device (and whether its adapter is a software one). */
export function adapterTraits(device: GPUDevice, isSoftware: boolean): AdapterTraits {
  return {
    isSoftware,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    maxUniformBufferBindingSize: device.limits.maxUniformBufferBindingSize,
  };
}

/**
 * Where a mixture score is evaluated: inside the sampler kernels (`'fused'`), in a pass before each
 * step at the step's one time (`'pass'`, PASS_SAMPLERS), or by the staged path at points with
 * their own times (`'staged'`, src/scores/gmm-points-score.ts: the samplers that evaluate inside
 * their kernels, on software adapters at large d).
 */
export type ScorePlacement = 'fused' | 'pass' | 'staged';

/**
 * Fused (the thread-per-particle score inside each sampler kernel) or a separate score pass before
 * each step (the tiled / split kernel of {@link chooseScoreLayout} into a P x d buffer the sampler
 * kernel reads). A function of (d, adapter) only, never of the particle count, so every chunk and
 * offset of a run evaluates the same f32 arithmetic. Measured on SwiftShader
 * (bench/results/perf-swiftshader-samplers-pass): see the README's performance section.
 */
export function chooseScorePlacement(dim: number, _K: number, _a: AdapterTraits): 'fused' | 'pass' {
  return dim >= PASS_MIN_DIM ? 'pass' : 'fused';
}

/** Smallest d at which the score pass is the default. */
export const PASS_MIN_DIM = 16;

/**
 * Smallest d at which `'auto'` gives the samplers that evaluate inside their kernels the staged
 * mixture score on a software adapter; never on hardware adapters (not measured there). Measured
 * on SwiftShader (README "round 5", nfe 25, P = 1000, GPU particle-steps/s staged / fused): d = 64
 * 0.75-1.02x (fused faster but for accelerated-sde), d = 128 1.27-2.5x, d = 256 and 784 1.4-2.3x.
 */
export const STAGED_MIN_DIM = 128;
