/**
 * What a run will allocate, computed before anything is: every buffer's bytes against the device's
 * `maxBufferSize` and `maxStorageBufferBindingSize`, and the total against the engine's memory
 * budget. A run that does not fit fails with a {@link ResourceLimitError} that says which buffer,
 * how big, what the limit is and how many particles would fit.
 */
import { ResourceLimitError } from '../errors.js';
import type { SamplerPlan } from '../samplers/types.js';
import type { PerParticleBuffer, ScorePassBytes } from './chunk-plan.js';

/** One buffer a run needs. */
export interface BufferNeed {
  name: string;
  bytes: number;
  /** Bound as a storage buffer (so also limited by maxStorageBufferBindingSize). */
  storage: boolean;
  /** Bytes per particle (0 for fixed-size buffers), to say how many particles would fit. */
  perParticle: number;
}

/** The limits a run is checked against. */
export interface RunLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Bytes the engine may allocate for one run in all (Infinity: no budget). */
  budget: number;
}

/** The buffers a run of `plan` over P particles of dimension d allocates (pure). */
export function runBuffers(plan: Pick<SamplerPlan, 'buffers' | 'rows'>, P: number, d: number, opts: { readback: boolean; faultCheck: boolean; scorePass?: ScorePassBytes; perParticle?: readonly PerParticleBuffer[] }): BufferNeed[] {
  const needs: BufferNeed[] = [{ name: 'particles', bytes: P * d * 4, storage: true, perParticle: d * 4 }];
  for (const b of plan.buffers) {
    const per = 4 * (b.floatsPerParticle ?? 0);
    needs.push({ name: b.name, bytes: Math.max(16, b.words !== undefined ? 4 * b.words : P * per), storage: true, perParticle: b.words !== undefined ? 0 : per });
  }
  needs.push({ name: 'steps', bytes: (plan.rows.length + 1) * 256, storage: false, perParticle: 0 });
  if (opts.scorePass) {
    needs.push({ name: 'score pass scores', bytes: Math.max(16, P * d * 4), storage: true, perParticle: d * 4 });
    needs.push({ name: 'score pass tables', bytes: opts.scorePass.tableBytes, storage: false, perParticle: 0 });
  }
  for (const b of opts.perParticle ?? []) needs.push({ name: b.name, bytes: Math.max(16, P * b.bytesPerParticle), storage: true, perParticle: b.bytesPerParticle });
  if (opts.readback) needs.push({ name: 'readback', bytes: P * d * 4, storage: false, perParticle: d * 4 });
  if (opts.faultCheck) needs.push({ name: 'fault-check mask', bytes: 4 * Math.ceil(P / 32), storage: true, perParticle: 1 / 8 });
  return needs;
}

/**
 * Checks `needs` against `limits` for a run of P particles.
 * @throws ResourceLimitError naming the buffer, its bytes, the limit and the particles that fit.
 */
export function checkRunMemory(needs: readonly BufferNeed[], limits: RunLimits, P: number): void {
  const fit = (limit: number, perParticle: number, fixed: number) => (perParticle > 0 ? Math.max(0, Math.floor((limit - fixed) / perParticle)) : 0);
  for (const n of needs) {
    const limit = n.storage ? Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) : limits.maxBufferSize;
    if (n.bytes > limit) {
      const which = n.storage && limits.maxStorageBufferBindingSize < limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
      throw new ResourceLimitError(
        `buffer "${n.name}" of this run needs ${n.bytes} bytes, more than the device's ${which} of ${limit} bytes` +
          (n.perParticle > 0 ? `; at most ${fit(limit, n.perParticle, n.bytes - n.perParticle * P)} particles fit (got ${P}): split the run with offset` : ''),
        n.bytes, limit,
      );
    }
  }
  const total = needs.reduce((s, n) => s + n.bytes, 0);
  if (total > limits.budget) {
    const per = needs.reduce((s, n) => s + n.perParticle, 0);
    const fixed = total - per * P;
    throw new ResourceLimitError(
      `this run needs ${total} bytes of GPU memory (${needs.map((n) => `${n.name} ${n.bytes}`).join(', ')}), more than the engine's budget of ${limits.budget} bytes; ` +
        `at most ${fit(limits.budget, per, fixed)} particles fit (got ${P}): split the run with offset`,
      total, limits.budget,
    );
  }
}
