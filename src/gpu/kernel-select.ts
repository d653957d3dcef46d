/**
 * Kernel layout by dimension and adapter: how many particles one invocation evaluates, the
 * workgroup size, and whether a kernel stages its parameters in workgroup memory. Pure functions
 * of (d, K, adapter limits), so the choice is automatic, testable and printed by the benchmarks.
 */

/** Adapter properties the choice depends on. */
export interface AdapterTraits {
  /** SwiftShader and other CPU implementations: loads cost far more than FMAs, registers are few. */
  isSoftware: boolean;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
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
   * 'online': one pass with a running-max log-sum-exp (shaders/score-gmm-tiled.wgsl, any K);
   * 'two-pass': quadratic forms, then the weighted sum, components unrolled (shaders/score-gmm-twopass.wgsl, K <= 16).
   */
  variant?: 'online' | 'two-pass';
}

/** Bytes of the per-time mixture table for K components in dimension d. */
export function tableBytes(dim: number, K: number): number {
  return 16 * K * (1 + 2 * Math.ceil(dim / 4));
}

/**
 * The tiled mixture-score layout for dimension `dim` with `K` components.
 * Private state per invocation is 3 * ppt * d floats (x, the scaled difference, the score), so
 * ppt shrinks as d grows: 4 particles up to d = 16, 2 up to d = 64, 1 above (where the kernel's
 * vector loops stay rolled). Staging is used when the table fits in half the workgroup memory.
 */
export function chooseScoreLayout(dim: number, K: number, a: AdapterTraits): ScoreLayout {
  const ppt = dim <= 16 ? 4 : dim <= 64 ? 2 : 1;
  const wgSize = Math.min(64, a.maxComputeInvocationsPerWorkgroup);
  const stage = tableBytes(dim, K) <= a.maxComputeWorkgroupStorageSize / 2;
  return { ppt, wgSize, stage };
}

/** The traits of a device (and whether its adapter is a software one). */
export function adapterTraits(device: GPUDevice, isSoftware: boolean): AdapterTraits {
  return {
    isSoftware,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
  };
}
