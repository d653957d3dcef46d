/**
 * Error types of midstep. Every error a user can cause is a {@link MidstepError} whose message
 * names the bad field, the value it had and what was expected, so a CLI can print it as one line.
 */

/** Base class of every error midstep raises on purpose. */
export class MidstepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shortens a value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A bad input value: `field` is where it was found (`"weights[2]"`, `"--nfe"`), `expected` what fits. */
export class ValidationError extends MidstepError {
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  constructor(field: string, value: unknown, expected: string, detail?: string) {
    super(`${field}: got ${describeValue(value)}, expected ${expected}${detail ? ` (${detail})` : ''}`);
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/** A target definition (JSON or preset) that is malformed or not a valid distribution. */
export class TargetError extends ValidationError {}

/** A sampler name or sampler option that is unknown or out of range. */
export class SamplerOptionError extends ValidationError {}

/** Run settings (particles, nfe, seed, times, grid) out of range. */
export class RunOptionError extends ValidationError {}

/** No WebGPU adapter or device could be obtained, or the device was lost. */
export class DeviceError extends MidstepError {}

/** A file could not be read or has the wrong format (`.npy`, JSON). */
export class FileFormatError extends MidstepError {}

/** A run was cancelled through its AbortSignal. */
export class CancelledError extends MidstepError {}

/**
 * A run produced non-finite numbers (NaN or +-Inf): in its planned coefficients, or in particle
 * coordinates found by the on-GPU check. `round` is the first checked round (sequential
 * score-evaluation rounds done) at which they were seen, `particles` how many particles had one
 * there (-1 where it does not apply, e.g. for a plan).
 */
export class NumericalError extends MidstepError {
  readonly round: number;
  readonly particles: number;
  constructor(message: string, round = -1, particles = -1) {
    super(message);
    this.round = round;
    this.particles = particles;
  }
}

/**
 * A run needs more than the device allows (a buffer over `maxBufferSize` or
 * `maxStorageBufferBindingSize`, or more memory in all than the engine's budget), found before
 * anything is allocated. `bytes` is what it needs, `limit` what is allowed.
 */
export class ResourceLimitError extends MidstepError {
  readonly bytes: number;
  readonly limit: number;
  constructor(message: string, bytes: number, limit: number) {
    super(message);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * The WebGPU device was lost (or reported an error outside any scope) while a run was in flight.
 * Create a new engine on a new device; with checkpointing on, resume from the last checkpoint.
 */
export class DeviceLostError extends DeviceError {}

/** A checkpoint that does not belong to the run it is resumed into. */
export class CheckpointError extends MidstepError {}
