/**
 * A score model from the user's own WGSL: a function `score(x, t)` and the buffers it binds,
 * fused into every sampler kernel (shaders/score-user.wgsl adapts it to `model_eval`).
 */
import { MidstepError } from '../errors.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/** One buffer of the user's bind group 1. */
export interface UserBinding {
  /** The `@binding(n)` of its declaration in the user's WGSL (`@group(1)`). */
  binding: number;
  /** `var<uniform>` (uniform), `var<storage, read>` (read-only-storage) or `var<storage, read_write>` (storage). */
  type: GPUBufferBindingType;
  /** Contents: the library creates the buffer and uploads them (length a multiple of 4 bytes). */
  data?: ArrayBufferView | ArrayBuffer;
  /** Or a buffer the app owns (created on the engine's device; the app destroys it). */
  buffer?: GPUBuffer;
}

/** What {@link userScoreModel} takes. */
export interface UserScoreOptions {
  /** Name shown in reports. */
  name: string;
  /** Dimension d of the state. */
  dim: number;
  /**
   * WGSL that defines `fn score(x: Point, tp: TimeParams) -> Point`, where `Point` is
   * `array<f32, DIM>` and `TimeParams` has `t`, `m` (= e^{-t}) and `sig2` (= 1 - e^{-2t}), and that
   * declares its bindings as `@group(1) @binding(n)`. The constants `DIM` and `DIM4` are in scope;
   * `${NAME}` placeholders and `#if` are filled from `defines`.
   */
  wgsl: string;
  /** The buffers of the `@group(1)` declarations. */
  bindings?: UserBinding[];
  /** Values for `${NAME}` placeholders of `wgsl`. */
  defines?: Record<string, string | number | boolean>;
  /** The same score in float64, writing s_t(x) into `out` (needed only for the CPU reference). */
  reference?: (x: Float64Array, t: number, out: Float64Array) => void;
}

/** A short stable hash (FNV-1a) of a string, so pipelines of different user code never share a cache key. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The user's WGSL score as a {@link ScoreModel} that every sampler can run.
 * @throws MidstepError when the WGSL does not define `score`, or a binding is malformed.
 *
 * @example
 * ```ts
 * const model = userScoreModel({
 *   name: 'standard-normal', dim: 2,
 *   wgsl: `fn score(x: Point, tp: TimeParams) -> Point { return Point(-x[0], -x[1]); }`,
 *   reference: (x, t, out) => { out[0] = -x[0]!; out[1] = -x[1]!; },
 * });
 * const r = await engine.sample({ target: model, sampler: 'ddim', nfe: 20, particles: 1000 });
 * ```
 */
export function userScoreModel(o: UserScoreOptions): ScoreModel {
  if (!Number.isInteger(o.dim) || o.dim < 1) throw new MidstepError(`user score ${o.name}: dim ${o.dim} is not a positive integer`);
  if (!/\bfn\s+score\s*\(/.test(o.wgsl)) throw new MidstepError(`user score ${o.name}: the WGSL must define fn score(x: Point, tp: TimeParams) -> Point`);
  const bindings = o.bindings ?? [];
  const seen = new Set<number>();
  for (const b of bindings) {
    if (!Number.isInteger(b.binding) || b.binding < 0) throw new MidstepError(`user score ${o.name}: binding ${b.binding} is not a non-negative integer`);
    if (seen.has(b.binding)) throw new MidstepError(`user score ${o.name}: binding ${b.binding} is given twice`);
    seen.add(b.binding);
    if (!b.data === !b.buffer) throw new MidstepError(`user score ${o.name}: binding ${b.binding} needs exactly one of data or buffer`);
  }
  const d = o.dim;
  const s = new Float64Array(d), xv = new Float64Array(d);
  return {
    name: o.name,
    dim: d,
    shader: 'score-user',
    defines: { ...o.defines, USER_SCORE_HASH: hashText(o.wgsl) },
    sources: { 'user-score': o.wgsl },
    evalPoint: (x, off, t, sOut, x0Out) => {
      if (!o.reference) throw new MidstepError(`user score ${o.name} has no float64 reference; pass reference to run on the CPU`);
      for (let j = 0; j < d; j++) xv[j] = x[off + j]!;
      o.reference(xv, t, s);
      const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t);
      for (let j = 0; j < d; j++) {
        if (sOut) sOut[j] = s[j]!;
        if (x0Out) x0Out[j] = (xv[j]! + sig2 * s[j]!) / m;
      }
    },
    layoutEntries: () => bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.type } })),
    createBindings(device: GPUDevice): ScoreBindings {
      const made: GPUBuffer[] = [];
      const entries = bindings.map((b) => {
        let buffer = b.buffer;
        if (!buffer) {
          const bytes = b.data instanceof ArrayBuffer ? new Uint8Array(b.data) : new Uint8Array(b.data!.buffer, b.data!.byteOffset, b.data!.byteLength);
          if (bytes.byteLength % 4 !== 0) throw new MidstepError(`user score ${o.name}: binding ${b.binding} has ${bytes.byteLength} bytes, expected a multiple of 4`);
          buffer = device.createBuffer({
            label: `${o.name} binding ${b.binding}`,
            size: Math.max(16, Math.ceil(bytes.byteLength / 16) * 16),
            usage: (b.type === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST,
          });
          device.queue.writeBuffer(buffer, 0, bytes as Uint8Array<ArrayBuffer>);
          made.push(buffer);
        }
        return { binding: b.binding, resource: { buffer } };
      });
      return { entries, destroy: () => made.forEach((b) => b.destroy()) };
    },
  };
}
