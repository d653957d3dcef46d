/** The smallest nfe a sampler runs with, as `midstep list` reports it, is the smallest the planner takes. */
import { describe, expect, it } from 'vitest';
import { resolveRun } from '../src/run-request.js';
import { SAMPLERS, minNfeWith, resolveOptions } from '../src/samplers/index.js';

const settings = (sampler: string, nfe: number, options: Record<string, number | string> = {}) => ({ sampler, nfe, particles: 10, options });

describe('minimum nfe', () => {
  const cases: [string, Record<string, number | string>][] = [
    ...SAMPLERS.map((s): [string, Record<string, number | string>] => [s.name, {}]),
    ['parallel-midpoint', { width: 3, picard: 1, start: 'free' }],
    ['parallel-midpoint', { width: 2, picard: 0, corrector: 'ulmc', 'corrector-steps': 3, 'corrector-picard': 2 }],
    ['heroism', { order: 5, passes: 3 }],
    ['heroism', { order: 1 }],
  ];
  it.each(cases)('%s %o: plans at the reported minimum and refuses one less', (name, given) => {
    const sampler = SAMPLERS.find((s) => s.name === name)!;
    const min = minNfeWith(sampler, resolveOptions(sampler, given));
    const run = resolveRun(settings(name, min, given), 2);
    expect(run.plan.nfe).toBeGreaterThan(0);
    expect(run.plan.nfe).toBeLessThanOrEqual(min);
    if (min > 1) expect(() => resolveRun(settings(name, min - 1, given), 2)).toThrow(/nfe/);
  });
});
