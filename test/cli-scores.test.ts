/** `midstep sample --target mnist | model.safetensors`: the score-model targets of the CLI. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../src/io/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'midstep-cli-scores-'));

function midstep(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/midstep.mjs', ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, own: r.stderr.split('\n').filter((l) => l.startsWith('midstep:')) };
}

describe('midstep sample with score-model targets', () => {
  it('--target mnist writes 784 pixel values per sample on the data scale', () => {
    const out = join(dir, 'mnist.npy');
    const r = midstep('sample', '--target', 'mnist', '--sampler', 'ddim', '--nfe', '4', '--particles', '2', '--backend', 'cpu', '--delta', '1e-4', '--out', out, '--json');
    expect(r.status, r.own.join('\n')).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'mnist', dim: 784, particles: 2 });
    const arr = decodeNpy(readFileSync(out));
    expect([arr.rows, arr.cols]).toEqual([2, 784]);
    // a reproduced digit: pixels in [0, 1] up to the noise at delta (sigma = 0.014)
    let min = Infinity, max = -Infinity;
    for (const v of arr.data) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(min).toBeGreaterThan(-0.1);
    expect(max).toBeGreaterThan(0.9);
    expect(max).toBeLessThan(1.1);
  });

  it('--target model.safetensors samples the MLP; a malformed file is one clear line', () => {
    const out = join(dir, 'moons.npy');
    const r = midstep('sample', '--target', 'models/two-moons.safetensors', '--sampler', 'ddpm', '--nfe', '20', '--particles', '50', '--backend', 'cpu', '--out', out, '--json');
    expect(r.status, r.own.join('\n')).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'two-moons', dim: 2 });
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, Buffer.from([1, 2, 3]));
    const e = midstep('sample', '--target', bad, '--sampler', 'ddpm', '--nfe', '20', '--particles', '50', '--out', out);
    expect(e.status).not.toBe(0);
    expect(e.own.join('\n')).toMatch(/bad\.safetensors: not a valid safetensors file: 3 bytes, shorter than the 8-byte header length/);
  });
});
