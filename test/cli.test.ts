/**
 * The CLI as a user runs it (`node bin/midstep.mjs ...`): sample/eval/list work, and every bad
 * input exits with status 2 and one stderr line naming the field and what was expected.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../src/io/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'midstep-cli-'));

function midstep(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/midstep.mjs', ...args], { encoding: 'utf8', timeout: 240_000 });
  // Dawn prints driver warnings on stderr; the CLI's own lines start with "midstep:"
  const own = r.stderr.split('\n').filter((l) => l.startsWith('midstep:'));
  return { status: r.status, stdout: r.stdout, own, stderr: r.stderr };
}

function writeJson(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

describe('midstep sample / eval / list', () => {
  it('sample writes a (P, d) float32 .npy and a JSON report; eval scores it', () => {
    const out = join(dir, 'ring.npy');
    const r = midstep('sample', '--target', 'ring2d', '--sampler', 'dpmpp-2m', '--nfe', '20', '--particles', '3000', '--seed', '5', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\r|\[#|\[\./); // stderr is a pipe here: no progress bar
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ sampler: 'dpmpp-2m', target: 'ring2d', dim: 2, particles: 3000, offset: 0, seed: 5, nfe: 20, rounds: 20, backend: 'webgpu' });
    expect(report.adapter).toMatch(/\w/);
    expect(report.seconds).toBeGreaterThan(0);
    const arr = decodeNpy(readFileSync(out));
    expect([arr.rows, arr.cols]).toEqual([3000, 2]);
    expect(arr.data).toBeInstanceOf(Float32Array);
    const ev = midstep('eval', '--target', 'ring2d', '--samples', out, '--json');
    expect(ev.status, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout.trim().split('\n').at(-1)!);
    expect(e.metrics.sw2).toBeGreaterThan(0);
    expect(e.metrics.sw2).toBeLessThan(3 * e.floor.sw2);
    expect(e.metrics.modeTV).toBeLessThan(0.05);
  });

  it('--score-layout and --update-layout reach the engine, and the report says which ran', () => {
    const run = (...flags: string[]) => {
      const r = midstep('sample', '--target', 'gmm64', '--sampler', 'ddpm', '--nfe', '3', '--particles', '64', '--seed', '2', '--out', join(dir, 'layout.npy'), '--json', ...flags);
      expect(r.status, r.stderr).toBe(0);
      return { report: JSON.parse(r.stdout.trim().split('\n').at(-1)!), data: decodeNpy(readFileSync(join(dir, 'layout.npy'))).data };
    };
    const block = run('--score-layout', 'pass', '--update-layout', 'block');
    expect([block.report.scoreLayout, block.report.updateLayout]).toEqual(['pass', 'block']);
    const particle = run('--score-layout', 'pass', '--update-layout', 'particle');
    expect([particle.report.scoreLayout, particle.report.updateLayout]).toEqual(['pass', 'particle']);
    expect(Array.from(block.data)).toEqual(Array.from(particle.data)); // the two update layouts give the same bits
    const fused = run('--score-layout', 'fused');
    expect([fused.report.scoreLayout, fused.report.updateLayout]).toEqual(['fused', 'particle']);
    const r = midstep('sample', '--target', 'gmm64', '--sampler', 'ddpm', '--nfe', '3', '--particles', '64', '--out', join(dir, 'x.npy'), '--score-layout', 'fused', '--update-layout', 'block');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/updateLayout: got "block"/);
  });

  it('--backend cpu agrees with the GPU run to f32 tolerance', () => {
    const a = join(dir, 'gpu.npy'), b = join(dir, 'cpu.npy');
    const args = ['--target', 'bimodal1d', '--sampler', 'ddpm', '--nfe', '15', '--particles', '400', '--seed', '3', '--offset', '77'];
    expect(midstep('sample', ...args, '--out', a).status).toBe(0);
    expect(midstep('sample', ...args, '--out', b, '--backend', 'cpu').status).toBe(0);
    const x = decodeNpy(readFileSync(a)).data, y = decodeNpy(readFileSync(b)).data;
    let max = 0;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
    expect(max).toBeLessThan(1e-3);
  });

  it('list names every sampler and preset', () => {
    const r = midstep('list', '--json');
    expect(r.status).toBe(0);
    const l = JSON.parse(r.stdout);
    expect(l.samplers.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['euler-maruyama', 'ddpm', 'ddim', 'heun', 'dpmpp-2m']));
    expect(l.presets.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['bimodal1d', 'ring2d', 'grid2d', 'aniso16', 'gmm64']));
    // the smallest budget with the default options: 1 + width (picard + 1) = 1 + 8 * 3, 1 + (order - 1) passes = 5
    const minNfe = (name: string) => l.samplers.find((s: { name: string }) => s.name === name).minNfe;
    expect([minNfe('parallel-midpoint'), minNfe('heroism'), minNfe('ddim')]).toEqual([25, 5, 1]);
  });
});

describe('bad input: exit status 2 and one line naming the field', () => {
  const out = join(dir, 'x.npy');
  const base = ['--target', 'ring2d', '--sampler', 'ddim', '--nfe', '10', '--particles', '100', '--out', out];
  const withFlag = (flag: string, value: string) => {
    const a = [...base];
    a[a.indexOf(flag) + 1] = value;
    return a;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['unknown sampler', () => withFlag('--sampler', 'magic'), /--sampler: got "magic", expected one of euler-maruyama/],
    ['malformed target JSON', () => withFlag('--target', writeJson('bad.json', '{"kind": "gmm", "weights": [1,')), /target.*valid JSON/],
    ['target JSON missing means', () => withFlag('--target', writeJson('nomeans.json', { kind: 'gmm', weights: [1], scales: [1] })), /means/],
    ['dimension mismatch in target', () => withFlag('--target', writeJson('dim.json', { kind: 'gmm', dim: 3, weights: [1], means: [[0, 0]], scales: [1] })), /dim/],
    ['non-finite number in target', () => withFlag('--target', writeJson('nan.json', '{"kind":"gmm","weights":[1],"means":[[0,1e999]],"scales":[1]}')), /means\[0\]\[1\]/],
    ['non-positive-definite covariance', () => withFlag('--target', writeJson('npd.json', { kind: 'gmm', weights: [1], means: [[0, 0]], covariances: [[[1, 2], [2, 1]]] })), /covariances\[0\].*positive/],
    ['particles zero', () => withFlag('--particles', '0'), /--particles: got 0, expected an integer in 1 \.\./],
    ['particles not a number', () => withFlag('--particles', 'many'), /--particles: got "many"/],
    ['nfe zero', () => withFlag('--nfe', '0'), /--nfe: got 0, expected an integer in 1 \.\./],
    ['nfe too large', () => withFlag('--nfe', '1e9'), /--nfe: got 1000000000, expected an integer in 1 \.\. 100000/],
    ['nfe fractional', () => withFlag('--nfe', '2.5'), /--nfe: got 2.5/],
    ['delta above t-max', () => [...base, '--delta', '20'], /--delta: got 20, expected a number in \(0, tMax = 10\)/],
    ['unknown grid', () => [...base, '--grid', 'cosine'], /--grid: got "cosine", expected one of logsnr, uniform, edm/],
    ['unknown sampler option', () => [...base, '--opt', 'foo=1'], /option foo/],
    ['bad option value', () => [...withFlag('--sampler', 'ddpm'), '--opt', 'variance=huge'], /option variance: got "huge", expected one of posterior, beta/],
    ['missing --out', () => base.slice(0, -2), /--out/],
    ['unknown flag', () => [...base, '--frobnicate', '1'], /--frobnicate/],
    ['unknown preset', () => withFlag('--target', 'ring3d'), /--target: got "ring3d"|target: got "ring3d"/],
    ['unknown non-finite policy', () => [...base, '--on-non-finite', 'drop'], /--on-non-finite: got "drop", expected error or exclude or ignore/],
    ['unknown score layout', () => [...base, '--score-layout', 'tiles'], /--score-layout: got "tiles", expected auto, fused, pass or staged/],
    ['unknown update layout', () => [...base, '--update-layout', 'rows'], /--update-layout: got "rows", expected auto, particle or block/],
    ['layout flag with the CPU backend', () => [...base, '--backend', 'cpu', '--update-layout', 'block'], /--update-layout: got "block", expected no layout flag with --backend cpu/],
  ];
  it.each(cases)('%s', (_name, args, pattern) => {
    const r = midstep('sample', ...args());
    expect(r.status).toBe(2);
    expect(r.own.length).toBe(1);
    expect(r.own[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/); // no JavaScript stack trace
  });

  it('eval with samples of the wrong dimension', () => {
    const p = join(dir, 'd1.npy');
    expect(midstep('sample', '--target', 'bimodal1d', '--sampler', 'ddim', '--nfe', '3', '--particles', '10', '--out', p).status).toBe(0);
    const r = midstep('eval', '--target', 'ring2d', '--samples', p);
    expect(r.status).toBe(2);
    expect(r.own[0]).toMatch(/--samples: .*expected an array with 2 columns/);
  });

  it('unknown command', () => {
    const r = midstep('sampel');
    expect(r.status).toBe(2);
    expect(r.own[0]).toMatch(/command: got "sampel"/);
  });
});
