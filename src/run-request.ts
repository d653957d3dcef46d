/**
 * The settings of one sampling run, their defaults and their validation, shared by the GPU engine,
 * the CPU reference and the CLI.
 */
import { NumericalError, RunOptionError } from './errors.js';
import { GRID_NAMES, type GridName } from './math/grids.js';
import { getSampler, resolveOptions } from './samplers/index.js';
import type { SamplerDefinition, SamplerPlan } from './samplers/types.js';

/** Largest nfe budget accepted (a 1000-step DDPM chain is the usual maximum; 100k leaves room). */
export const MAX_NFE = 100_000;
/** Largest seed: integers below 2^53 are exact in JavaScript. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
/** Particle indices are u32 in the kernels. */
export const MAX_PARTICLE_INDEX = 2 ** 32;

/** What to run, without the target (see {@link SampleRequest}). */
export interface RunSettings {
  /** Sampler name, e.g. "ddim" (see `midstep list`). */
  sampler: string;
  /** Score evaluations per particle to spend. */
  nfe: number;
  /** Number of particles P. */
  particles: number;
  /** Random seed (integer, 0 .. 2^53 - 1). Default 0. */
  seed?: number;
  /** Global index of the first particle: a run over [offset, offset + P) equals rows offset.. of a bigger run. Default 0. */
  offset?: number;
  /** Start time T of the reverse process. Default 10. */
  tMax?: number;
  /** Early-stopping time delta; particles are returned at delta. Default 1e-3. */
  delta?: number;
  /** Time grid. Default "logsnr". */
  grid?: GridName;
  /** Sampler options (see `midstep list`). */
  options?: Record<string, number | string>;
}

/** Defaults of {@link RunSettings}. */
export const RUN_DEFAULTS = { seed: 0, offset: 0, tMax: 10, delta: 1e-3, grid: 'logsnr' as GridName };

/** Validated settings with defaults filled in and the sampler's plan. */
export interface ResolvedRun {
  sampler: SamplerDefinition;
  nfe: number;
  particles: number;
  seed: number;
  offset: number;
  tMax: number;
  delta: number;
  grid: GridName;
  options: Record<string, number | string>;
  plan: SamplerPlan;
}

function checkInteger(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RunOptionError(field, v, `an integer in ${min} .. ${max}`);
  }
  return v;
}

function checkFinite(field: string, v: unknown, expected: string, ok: (x: number) => boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new RunOptionError(field, v, expected);
  return v;
}

/**
 * Checks `s`, fills in defaults and plans the sampler.
 * @param dim dimension of the state (of the target or score model).
 * @param maxParticles the most particles this backend takes in one run.
 * @throws RunOptionError or SamplerOptionError naming the field.
 */
export function resolveRun(s: RunSettings, dim: number, maxParticles = MAX_PARTICLE_INDEX): ResolvedRun {
  const sampler = getSampler(s.sampler);
  const particles = checkInteger('particles', s.particles, 1, maxParticles);
  const nfe = checkInteger('nfe', s.nfe, sampler.minNfe, MAX_NFE);
  const seed = checkInteger('seed', s.seed ?? RUN_DEFAULTS.seed, 0, MAX_SEED);
  const offset = checkInteger('offset', s.offset ?? RUN_DEFAULTS.offset, 0, MAX_PARTICLE_INDEX - particles);
  const tMax = checkFinite('tMax', s.tMax ?? RUN_DEFAULTS.tMax, 'a number in (0, 50]', (x) => x > 0 && x <= 50);
  const delta = checkFinite('delta', s.delta ?? RUN_DEFAULTS.delta, `a number in (0, tMax = ${tMax})`, (x) => x > 0 && x < tMax);
  const grid = (s.grid ?? RUN_DEFAULTS.grid) as GridName;
  if (!GRID_NAMES.includes(grid)) throw new RunOptionError('grid', grid, `one of ${GRID_NAMES.join(', ')}`);
  const options = resolveOptions(sampler, s.options ?? {});
  const plan = sampler.plan({ dim, nfe, tMax, delta, grid, options });
  checkPlanFinite(plan, sampler.name);
  return { sampler, nfe, particles, seed, offset, tMax, delta, grid, options, plan };
}

/**
 * Every coefficient of a plan must be finite before anything is dispatched.
 * @throws NumericalError naming the step row and the coefficient.
 */
export function checkPlanFinite(plan: SamplerPlan, sampler: string): void {
  plan.rows.forEach((row, i) => {
    const j = row.c.findIndex((c) => !Number.isFinite(c));
    if (j >= 0) {
      throw new NumericalError(`${sampler} plan: step row ${i} (step ${row.step}) has coefficient c[${j}] = ${row.c[j]}, expected a finite number; try a larger delta, a smaller tMax or another grid`);
    }
  });
}
