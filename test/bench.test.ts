/**
 * `midstep bench`: flag parsing (no device) and a tiny run of the whole suite, whose report must
 * hold consistent figures: GPU scores that agree with float64, throughputs that match the times,
 * and Markdown/SVG that name the adapter.
 */
import { describe, expect, it } from 'vitest';
import { cpus } from 'node:os';
import { reportMarkdown, reportPlots } from '../src/bench/report.js';
import { runBench, QUICK_CONFIG } from '../src/bench/suite.js';
import { median } from '../src/bench/timing.js';
import { benchConfig } from '../src/cli/bench.js';
import { testGpu } from './helpers/gpu.js';

describe('bench flags', () => {
  it('--quick with overrides', () => {
    const { config } = benchConfig(['--quick', '--dims', '2,16', '--particles', '1000', '--samplers', 'ddim,ddpm', '--nfe', '5']);
    expect(config.dims).toEqual([2, 16]);
    expect(config.particles).toEqual([1000]);
    expect(config.samplers).toEqual(['ddim', 'ddpm']);
    expect(config.nfe).toBe(5);
    expect(config.scoreDims).toEqual(QUICK_CONFIG.scoreDims);
    expect(benchConfig(['--score-dims', 'none']).config.scoreDims).toEqual([]);
    expect(config.scoreLayout).toBe('auto');
    expect(benchConfig(['--score-layout', 'pass']).config.scoreLayout).toBe('pass');
    expect(() => benchConfig(['--score-layout', 'tiled'])).toThrow(/--score-layout/);
  });

  it('bad flags name the flag', () => {
    expect(() => benchConfig(['--dims', '2,x'])).toThrow(/--dims: got "2,x", expected comma-separated positive integers/);
    expect(() => benchConfig(['--runs', '0'])).toThrow(/--runs/);
    expect(() => benchConfig(['--samplers', 'nope'])).toThrow(/nope/);
    expect(() => benchConfig(['--fast'])).toThrow(/--fast/);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('a tiny bench run', () => {
  it('measures, checks and reports', async () => {
    const gpu = await testGpu();
    const config = { ...QUICK_CONFIG, samplers: ['ddim'], dims: [2], particles: [300, 600], nfe: 4, runs: 1, cpuParticles: 100, scoreDims: [4], scoreParticles: 512, microInvocations: 2048, microBytes: 2 ** 20 };
    const r = await runBench(gpu, config, 'test');
    expect(r.adapter).toBe(gpu.adapterName);
    expect(r.micro.fmaGflops).toBeGreaterThan(0);
    expect(r.micro.bandwidthGBs).toBeGreaterThan(0);
    expect(r.score.length).toBe(1);
    const [naive, tiled] = r.score[0]!.kernels;
    expect(naive!.kernel).toMatch(/thread-per-particle/);
    expect(tiled!.kernel).toMatch(/tiled|split/);
    for (const k of r.score[0]!.kernels) {
      expect(k.maxError).toBeLessThan(1e-4);
      expect(k.evalsPerSecond * k.seconds).toBeCloseTo(r.score[0]!.particles, 3);
    }
    expect(r.samplers.map((c) => c.particles)).toEqual([300, 600]);
    for (const c of r.samplers) {
      expect(c.steps).toBe(4);
      expect(c.gpuStepsPerSecond * c.gpuSeconds).toBeCloseTo(c.particles * c.steps, 3);
      expect(c.speedup).toBeCloseTo(c.cpuSeconds / c.gpuSeconds, 9);
      expect(c.cpuParticles).toBe(100);
    }
    const md = reportMarkdown(r);
    expect(md).toContain(gpu.adapterName);
    expect(md).toContain('| ddim | 2 | 600 | fused | 4 |');
    // the host the run shared, and how it waited for the GPU (Node: sleep, src/gpu/quiet-wait.ts)
    expect(r.host!.cores).toBe(cpus().length);
    expect(r.host!.gpuWait).toBe(gpu.waitMode);
    expect(md).toMatch(new RegExp(`- host: ${cpus().length} cores \\(.*\\); load average \\d+\\.\\d\\d at the start, \\d+\\.\\d\\d at the end; GPU waits: sleep`));
    expect(Object.keys(reportPlots(r))).toEqual(['samplers-d2']);
  });
});
