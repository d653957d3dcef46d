/**
 * A score model that produces non-finite values on purpose, for testing how runs handle numerical
 * faults: the exact score of the standard normal target N(0, I) (q_t = N(0, I) at every t under the
 * OU process, so s_t(x) = -x and x0hat(x, t) = e^{-t} x), plus `poison` (NaN by default) added to
 * the outputs of every evaluation at a time t < `tFault` for a point with x_0 > `threshold`.
 * Its float64 evaluation does the same, so the CPU reference says which particles go bad.
 */
import { RunOptionError } from '../errors.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/** Where and what the model poisons. */
export interface FaultInjection {
  /** Dimension d. */
  dim: number;
  /** Evaluations at t below this are poisoned (for points over the threshold). Default 1; -1 never. */
  tFault?: number;
  /** Points with x_0 above this are poisoned. Default 0.5. */
  threshold?: number;
  /** What is added: NaN (default), Infinity or -Infinity. */
  poison?: number;
}

/** The fault-injecting standard-normal score model (see the module comment). */
export function faultInjectionModel(f: FaultInjection): ScoreModel {
  if (!Number.isInteger(f.dim) || f.dim < 1) throw new RunOptionError('dim', f.dim, 'a positive integer');
  const tFault = f.tFault ?? 1, threshold = f.threshold ?? 0.5, poison = f.poison ?? NaN;
  const params = new Float32Array([tFault, threshold, poison, 0]);
  const d = f.dim;
  return {
    name: `fault-injection(t < ${tFault}, x0 > ${threshold}, ${poison})`,
    dim: d,
    shader: 'score-fault-injection',
    defines: {},
    evalPoint: (x, off, t, s, x0) => {
      // the same f32 comparisons as the kernel
      const add = Math.fround(t) < params[0]! && Math.fround(x[off]!) > params[1]! ? poison : 0;
      const m = Math.exp(-t);
      for (let j = 0; j < d; j++) {
        if (s) s[j] = -x[off + j]! + add;
        if (x0) x0[j] = m * x[off + j]! + add;
      }
    },
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice): ScoreBindings {
      const buffer = device.createBuffer({ label: 'fault-injection params', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, params);
      return { entries: [{ binding: 0, resource: { buffer } }], destroy: () => buffer.destroy() };
    },
  };
}
