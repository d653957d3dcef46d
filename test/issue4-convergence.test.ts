/**
 * Convergence of heroism, accelerated-sde and poisson-midpoint on ring2d with exact scores (GPU,
 * 10,000 particles): sliced-W2 against q_delta falls as nfe grows, and at the largest budget is
 * within 2x its finite-sample floor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { evaluateSamples } from '../src/metrics/evaluate.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const P = 10_000;
const LADDER: Record<string, number[]> = {
  heroism: [5, 20, 100],
  'accelerated-sde': [5, 20, 100],
  'poisson-midpoint': [10, 40, 80],
};

describe('convergence on ring2d, 10,000 particles', () => {
  const target = loadTarget('ring2d');
  it.each(Object.keys(LADDER))('%s', async (sampler) => {
    const sw2: number[] = [];
    let floor = NaN;
    for (const nfe of LADDER[sampler]!) {
      const r = await engine.sample({ target, sampler, nfe, particles: P, seed: 11 });
      const ev = evaluateSamples(target, r.samples!, P, { t: r.delta, seed: 3, metrics: ['sw2'] });
      sw2.push(ev.metrics.sw2!);
      floor = ev.floor.sw2!;
    }
    const msg = `${sampler} on ring2d: sw2 ${sw2.map((v) => v.toPrecision(3)).join(' > ')}, floor ${floor.toPrecision(3)}`;
    console.log(msg);
    for (let i = 1; i < sw2.length; i++) {
      if (sw2[i]! >= 1.25 * floor) expect(sw2[i]!, msg).toBeLessThan(sw2[i - 1]!);
    }
    expect(sw2[0]!, msg).toBeGreaterThan(sw2.at(-1)!);
    expect(sw2.at(-1)!, msg).toBeLessThan(2 * floor);
  });
});
