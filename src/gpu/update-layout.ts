/**
 * Layout of the update kernels by dimension, for runs whose score is already in a buffer (the
 * Gaussian-mixture score pass, an external score): one invocation per particle looping over its d
 * coordinates (`'particle'`, shaders/exponential-step.wgsl), or one invocation per (particle, vec4
 * block) (`'block'`, shaders/exponential-step-blocked.wgsl): a fully parallel elementwise kernel
 * whose neighbouring invocations touch neighbouring memory and hold no per-particle arrays.
 * Both draw the same Philox blocks and do the same f32 arithmetic, so they give the same bits; the
 * choice is a function of (d, adapter) only, like the score placement.
 */
import { RunOptionError } from '../errors.js';
import type { AdapterTraits } from './kernel-select.js';

/** How an update kernel maps invocations to the state. */
export type UpdateLayout = 'particle' | 'block';

/**
 * Smallest d at which the per-block update is the default on a software adapter (SwiftShader),
 * measured with bench/update-layout.ts (bench/results/update-layout-swiftshader.md, whole runs of
 * ddim, ddpm, dpmpp-2m at P = 1e3 and 1e4): on SwiftShader the two layouts are within noise of each
 * other (a CPU has no coalescing to gain and caches either access pattern); the per-block one is
 * behind at small d (geometric mean of block / particle speed 0.76-0.90 at d <= 64, 0.74 at
 * P = 1e4, where it runs d / 4 times as many invocations), even at d = 256 (0.95-0.98) and ahead
 * only from d = 784 (1.03-1.19). Hence 512, between the last d it lost and the first it won.
 */
export const BLOCK_MIN_DIM_SOFTWARE = 512;

/**
 * Smallest d at which the per-block update is the default on a hardware GPU. Not measured (no GPU
 * was available): at d >= 8 a thread-per-particle kernel's neighbouring threads read addresses
 * 32+ bytes apart, so its loads no longer coalesce, and real GPUs likely want this lower
 * threshold. Force either layout with the run option `updateLayout`.
 */
export const BLOCK_MIN_DIM_HARDWARE = 8;

/** The layout `'auto'` picks for dimension `dim` on an adapter with traits `a`. */
export function chooseUpdateLayout(dim: number, a: Pick<AdapterTraits, 'isSoftware'>): UpdateLayout {
  return dim >= (a.isSoftware ? BLOCK_MIN_DIM_SOFTWARE : BLOCK_MIN_DIM_HARDWARE) ? 'block' : 'particle';
}

/**
 * The update layout of a run: `want` (the run option, default `'auto'`) resolved against whether
 * this run can use per-block kernels (`canBlock`: its score is in a buffer and its sampler has a
 * per-block kernel).
 * @throws RunOptionError for an unknown value, or `'block'` where the run cannot use it.
 */
export function resolveUpdateLayout(want: unknown, canBlock: boolean, dim: number, a: Pick<AdapterTraits, 'isSoftware'>, why = ''): UpdateLayout {
  const w = want ?? 'auto';
  if (w !== 'auto' && w !== 'particle' && w !== 'block') throw new RunOptionError('updateLayout', w, '"auto", "particle" or "block"');
  if (w === 'block' && !canBlock) throw new RunOptionError('updateLayout', w, '"auto" or "particle"', why);
  if (!canBlock) return 'particle';
  return w === 'auto' ? chooseUpdateLayout(dim, a) : w;
}
