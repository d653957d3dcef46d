/**
 * Validation of the engine-only parts of a request (batching, fault checks, callbacks), so that a
 * bad value is a RunOptionError naming it instead of a hang (`stepsPerSubmit: 0` would loop
 * forever) or a silently wrong result (`NaN` would skip every step).
 */
import { RunOptionError } from './errors.js';
import { resolveFaultCheck, type FaultCheckSettings } from './gpu/fault-check.js';

/** The engine-only fields of a request. */
export interface EngineRequestFields {
  stepsPerSubmit?: unknown;
  onNonFinite?: unknown;
  faultCheckEvery?: unknown;
  onProgress?: unknown;
  onCheckpoint?: unknown;
  signal?: unknown;
  keepBuffer?: unknown;
  /** Replay snapshots: they also split the run into about 20 batches (without waiting between them). */
  snapshots?: unknown;
}

/** Validated engine settings of a run of `steps` step rows. */
export interface EngineSettings {
  /** Steps per submitted command buffer. */
  batch: number;
  /** Whether the run waits between batches (progress, cancellation, checkpoints, early fault stop). */
  batched: boolean;
  faultCheck: FaultCheckSettings;
}

/**
 * Checks the engine-only fields and derives the batching.
 * @throws RunOptionError naming the field.
 */
export function resolveEngineRequest(r: EngineRequestFields, steps: number): EngineSettings {
  for (const f of ['onProgress', 'onCheckpoint'] as const) {
    if (r[f] !== undefined && typeof r[f] !== 'function') throw new RunOptionError(f, r[f], 'a function');
  }
  if (r.signal !== undefined && (typeof r.signal !== 'object' || r.signal === null || typeof (r.signal as AbortSignal).aborted !== 'boolean')) {
    throw new RunOptionError('signal', r.signal, 'an AbortSignal');
  }
  if (r.keepBuffer !== undefined && typeof r.keepBuffer !== 'boolean') throw new RunOptionError('keepBuffer', r.keepBuffer, 'true or false');
  const sps = r.stepsPerSubmit;
  if (sps !== undefined && (typeof sps !== 'number' || !Number.isInteger(sps) || sps < 1)) {
    throw new RunOptionError('stepsPerSubmit', sps, 'a positive integer number of steps');
  }
  const batched = !!(r.onProgress || r.signal || r.onCheckpoint);
  const batch = (sps as number | undefined) ?? (batched || r.snapshots ? Math.max(1, Math.ceil(steps / 20)) : Math.max(1, steps));
  return { batch, batched, faultCheck: resolveFaultCheck(r.onNonFinite, r.faultCheckEvery, steps) };
}
