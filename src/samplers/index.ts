/** The sampler registry: every sampler midstep can run, by name. */
import { SamplerOptionError } from '../errors.js';
import { ddim } from './ddim.js';
import { ddpm } from './ddpm.js';
import { dpmpp2m } from './dpmpp-2m.js';
import { eulerMaruyama } from './euler-maruyama.js';
import { heun } from './heun.js';
import { parallelMidpoint } from './parallel-midpoint.js';
import { randomizedMidpoint } from './randomized-midpoint.js';
import { heroism } from './heroism.js';
import { acceleratedSde } from './accelerated-sde.js';
import { poissonMidpoint } from './poisson-midpoint.js';
import type { SamplerDefinition } from './types.js';

/** All samplers, in the order `midstep list` shows them. */
export const SAMPLERS: readonly SamplerDefinition[] = [eulerMaruyama, ddpm, ddim, heun, dpmpp2m, randomizedMidpoint, parallelMidpoint, heroism, acceleratedSde, poissonMidpoint];

/** Names of the baseline samplers (ALGORITHMS.md B1-B7), the ones the core tests sweep. */
export const BASELINE_NAMES: readonly string[] = [eulerMaruyama, ddpm, ddim, heun, dpmpp2m].map((s) => s.name);

/** The sampler called `name`. @throws SamplerOptionError listing the known names. */
export function getSampler(name: string): SamplerDefinition {
  const s = SAMPLERS.find((x) => x.name === name);
  if (!s) throw new SamplerOptionError('sampler', name, `one of ${SAMPLERS.map((x) => x.name).join(', ')}`);
  return s;
}

/**
 * Options with defaults filled in, checked against the sampler's specs.
 * @throws SamplerOptionError naming the option and its accepted values.
 */
export function resolveOptions(sampler: SamplerDefinition, given: Record<string, unknown> = {}): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(given)) {
    if (!sampler.options.some((o) => o.name === key)) {
      const known = sampler.options.map((o) => o.name);
      throw new SamplerOptionError(`option ${key}`, given[key], known.length ? `one of the options ${known.join(', ')} of ${sampler.name}` : `no options (${sampler.name} has none)`);
    }
  }
  for (const spec of sampler.options) {
    const raw = given[spec.name];
    if (raw === undefined) {
      out[spec.name] = spec.default;
      continue;
    }
    if (spec.type === 'enum') {
      if (typeof raw !== 'string' || !spec.values!.includes(raw)) {
        throw new SamplerOptionError(`option ${spec.name}`, raw, `one of ${spec.values!.join(', ')}`);
      }
      out[spec.name] = raw;
    } else {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      const range = `${spec.min ?? '-inf'} .. ${spec.max ?? 'inf'}`;
      if (typeof v !== 'number' || !Number.isFinite(v) || (spec.type === 'integer' && !Number.isInteger(v))) {
        throw new SamplerOptionError(`option ${spec.name}`, raw, `a finite ${spec.type} in ${range}`);
      }
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
        throw new SamplerOptionError(`option ${spec.name}`, raw, `a ${spec.type} in ${range}`);
      }
      out[spec.name] = v;
    }
  }
  return out;
}

/** The smallest nfe `sampler` runs with under `options` (resolved; the defaults when omitted). */
export function minNfeWith(sampler: SamplerDefinition, options: Record<string, number | string> = resolveOptions(sampler)): number {
  return sampler.minNfeFor ? sampler.minNfeFor(options) : sampler.minNfe;
}

export type { SamplerDefinition } from './types.js';
