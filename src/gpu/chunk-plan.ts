/**
 * Memory of a run, computed before anything is allocated, and its split into particle chunks that
 * each fit the adapter's buffer limits. Pure functions of the plan and the limits: the engine runs
 * the chunks one after another over particle ranges [offset, offset + n) and concatenates them,
 * which equals the unchunked run bit for bit because every random draw is keyed by the global
 * particle index (DESIGN.md, "Randomness").
 */
import { ResourceLimitError, RunOptionError } from '../errors.js';
import type { SamplerPlan } from '../samplers/types.js';

/** Invocations per workgroup of the thread-per-particle kernels (the engine's WORKGROUP_SIZE). */
const WG = 64;
/** Bytes per step row of the step table (the engine's ROW_BYTES). */
const ROW_BYTES = 256;

/**
 * Bytes kept free below each per-buffer limit when sizing chunks: SwiftShader (seen with Dawn's
 * Vulkan backend) reports maxBufferSize = 1 GiB but fails a buffer of exactly 1 GiB with
 * VK_ERROR_OUT_OF_DEVICE_MEMORY, while 1 GiB - 256 B allocates.
 */
export const BUFFER_HEADROOM = 64 * 1024;

/**
 * A run whose chunks cannot fit the adapter (or the host), said before anything is allocated: a
 * {@link ResourceLimitError} (catch that one for every "does not fit"), raised by the chunk planner.
 */
export class RunMemoryError extends ResourceLimitError {}

/** Adapter limits the split depends on (a subset of GPUSupportedLimits). */
export interface BufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** One buffer of a run: its name and bytes per particle (0 for fixed-size buffers) plus fixed bytes. */
export interface BufferNeed {
  name: string;
  bytesPerParticle: number;
  fixedBytes: number;
  /** A storage binding (limited by maxStorageBufferBindingSize), else only by maxBufferSize. */
  storage: boolean;
}

/** What one run needs. */
export interface RunFootprint {
  buffers: BufferNeed[];
  /** Largest invocations per particle of any kernel (bounds the particles of one dispatch). */
  maxLanes: number;
  /** Bytes of the float32 result on the host, P * d * 4 (0 with keepBuffer). */
  hostBytesPerParticle: number;
}

/**
 * The device buffers of a run of `plan` in dimension `dim`: state, plan buffers, step table,
 * readback, and with `scorePass` the mixture-score pass's P x d score buffer and its per-row tables.
 */
export function runFootprint(plan: Pick<SamplerPlan, 'buffers' | 'kernels' | 'rows'>, dim: number, opts: { readback?: boolean; modelBytes?: number; scorePass?: ScorePassBytes; perParticle?: readonly PerParticleBuffer[] } = {}): RunFootprint {
  const readback = opts.readback ?? true;
  const buffers: BufferNeed[] = [
    { name: 'particles', bytesPerParticle: 4 * dim, fixedBytes: 0, storage: true },
    ...plan.buffers.map((b) => ({
      name: b.name,
      bytesPerParticle: 4 * (b.floatsPerParticle ?? 0),
      fixedBytes: b.words !== undefined ? Math.max(16, 4 * b.words) : 0,
      storage: true,
    })),
    { name: 'steps', bytesPerParticle: 0, fixedBytes: (plan.rows.length + 1) * ROW_BYTES, storage: false },
    { name: 'score model', bytesPerParticle: 0, fixedBytes: opts.modelBytes ?? 0, storage: true },
  ];
  if (opts.scorePass) {
    buffers.push({ name: 'score pass scores', bytesPerParticle: 4 * dim, fixedBytes: 0, storage: true });
    buffers.push({ name: 'score pass tables', bytesPerParticle: 0, fixedBytes: opts.scorePass.tableBytes, storage: false });
  }
  for (const b of opts.perParticle ?? []) buffers.push({ name: b.name, bytesPerParticle: b.bytesPerParticle, fixedBytes: 0, storage: true });
  if (readback) buffers.push({ name: 'readback', bytesPerParticle: 4 * dim, fixedBytes: 0, storage: false });
  const maxLanes = Math.max(1, ...plan.kernels.map((k) => k.lanes ?? 1));
  return { buffers, maxLanes, hostBytesPerParticle: readback ? 4 * dim : 0 };
}

/** A storage buffer of a run that grows with the particle count (the staged score's cache, for one). */
export interface PerParticleBuffer {
  name: string;
  bytesPerParticle: number;
}

/** Fixed device bytes of a run's mixture-score pass (besides its P x d score buffer). */
export interface ScorePassBytes {
  /** The per-row time tables and the pass's parameters, in all. */
  tableBytes: number;
}

/** A particle range of a chunked run. */
export interface Chunk {
  /** Index of the first particle, relative to the run's own offset. */
  start: number;
  particles: number;
}

/** The split of a run. */
export interface ChunkPlan {
  chunks: Chunk[];
  /** Most particles in one chunk. */
  particlesPerChunk: number;
  /** Device bytes one chunk allocates (all its buffers together). */
  deviceBytesPerChunk: number;
  /** Device bytes an unchunked run would allocate. */
  deviceBytesUnchunked: number;
  /** Host bytes of the result. */
  hostBytes: number;
  /** What bounds the chunk size. */
  limitedBy: string;
}

/** Options of {@link planChunks}. */
export interface ChunkOptions {
  /** Force chunks of at most this many particles (tests; a smaller binding). */
  maxChunkParticles?: number;
  /** Most device bytes one chunk may allocate (default: no bound beyond the per-buffer limits). */
  deviceBudgetBytes?: number;
  /** Most host bytes the result may take (default 2^32 - 1 float32 values, a JavaScript typed array's bound). */
  hostBudgetBytes?: number;
}

/** Largest float32 typed array this library creates (elements). */
export const MAX_HOST_FLOATS = 2 ** 32 - 1;

/**
 * Splits `particles` particles of a run with footprint `fp` into chunks that fit `limits`.
 * @throws RunMemoryError when even one particle does not fit a binding, a fixed buffer exceeds
 * its limit, or the result exceeds the host or device budget, naming the buffer and the sizes.
 */
export function planChunks(particles: number, fp: RunFootprint, limits: BufferLimits, opts: ChunkOptions = {}): ChunkPlan {
  if (!Number.isInteger(particles) || particles < 1) throw new RunOptionError('particles', particles, 'a positive integer');
  let perChunk = particles, limitedBy = 'the whole run fits';
  const bound = (n: number, why: string) => {
    if (n < perChunk) {
      perChunk = n;
      limitedBy = why;
    }
  };
  for (const b of fp.buffers) {
    const limit = Math.min(limits.maxBufferSize, b.storage ? limits.maxStorageBufferBindingSize : Infinity);
    const cap = limit - BUFFER_HEADROOM;
    if (b.fixedBytes > cap) throw new RunMemoryError(`buffer "${b.name}" needs ${b.fixedBytes} bytes, more than this adapter's limit of ${limit} bytes per buffer (less ${BUFFER_HEADROOM} B headroom)`, b.fixedBytes, cap);
    if (b.bytesPerParticle === 0) continue;
    const n = Math.floor((cap - b.fixedBytes) / b.bytesPerParticle);
    if (n < 1) throw new RunMemoryError(`buffer "${b.name}" needs ${b.bytesPerParticle} bytes per particle, more than this adapter's limit of ${limit} bytes per buffer (less ${BUFFER_HEADROOM} B headroom)`, b.fixedBytes + b.bytesPerParticle, cap);
    bound(n, `buffer "${b.name}" (${b.bytesPerParticle} B/particle, limit ${limit} B)`);
  }
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  bound(Math.floor((maxDim * maxDim * WG) / fp.maxLanes), `the dispatch grid (${maxDim}^2 workgroups of ${WG}, ${fp.maxLanes} lanes per particle)`);
  const perParticle = fp.buffers.reduce((s, b) => s + b.bytesPerParticle, 0);
  const fixed = fp.buffers.reduce((s, b) => s + b.fixedBytes, 0);
  if (opts.deviceBudgetBytes !== undefined) {
    const n = Math.floor((opts.deviceBudgetBytes - fixed) / Math.max(1, perParticle));
    if (n < 1) throw new RunMemoryError(`one particle needs ${fixed + perParticle} device bytes, more than the budget of ${opts.deviceBudgetBytes} bytes`, fixed + perParticle, opts.deviceBudgetBytes);
    bound(n, `the device budget (${opts.deviceBudgetBytes} B)`);
  }
  if (opts.maxChunkParticles !== undefined) bound(Math.max(1, Math.floor(opts.maxChunkParticles)), `the forced chunk size (${opts.maxChunkParticles})`);
  const hostBytes = particles * fp.hostBytesPerParticle;
  const hostBudget = opts.hostBudgetBytes ?? 4 * MAX_HOST_FLOATS;
  if (hostBytes > hostBudget) {
    throw new RunMemoryError(`the result of ${particles} particles needs ${hostBytes} host bytes, more than the ${hostBudget} a float32 array can hold; run particle ranges (offset) separately`, hostBytes, hostBudget);
  }
  const chunks: Chunk[] = [];
  for (let start = 0; start < particles; start += perChunk) chunks.push({ start, particles: Math.min(perChunk, particles - start) });
  // the readback buffer is only as large as one chunk; the others scale with the chunk too
  return {
    chunks,
    particlesPerChunk: perChunk,
    deviceBytesPerChunk: fixed + perParticle * perChunk,
    deviceBytesUnchunked: fixed + perParticle * particles,
    hostBytes,
    limitedBy,
  };
}

/** Bytes as a short human-readable string (MiB / GiB). */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
