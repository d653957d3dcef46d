/**
 * Property-based validation (fast-check, fixed seeds): wherever input enters midstep (library run
 * settings, sampler options, target JSON, CLI flags, .npy files), malformed and extreme input gives
 * a MidstepError subclass whose message names the field, the value and what was expected, never
 * another exception, a hang or a NaN. Validation only: no device is started here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorLine } from '../src/cli/main.js';
import { parseSampleArgs } from '../src/cli/sample.js';
import {
  FileFormatError, MidstepError, NumericalError, ResourceLimitError, RunOptionError, SamplerOptionError, TargetError, ValidationError,
} from '../src/errors.js';
import { resolveEngineRequest } from '../src/engine-request.js';
import { checkRows, interpretFaults } from '../src/gpu/fault-check.js';
import { checkRunMemory, type BufferNeed } from '../src/gpu/run-memory.js';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { MAX_NFE, resolveRun } from '../src/run-request.js';
import { gmmScoreModel, packMixture } from '../src/scores/gmm-score.js';
import { SAMPLERS, getSampler, resolveOptions } from '../src/samplers/index.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import { PRESETS } from '../src/targets/presets.js';

const SEED = 20261201;
const RUN_FIELDS = ['sampler', 'nfe', 'particles', 'seed', 'offset', 'tMax', 'delta', 'grid'];

/** Numbers that break naive validation: NaN, infinities, -0, huge, tiny, fractional, 2^53, 2^32. */
const nastyNumber = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 1e-300, 5e-324, 1e300, Number.MAX_VALUE, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 31)),
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
);
/** Anything a JavaScript caller might pass. */
const anyValue = fc.oneof(nastyNumber, fc.string({ maxLength: 8 }), fc.constantFrom(null, undefined, true, [], {}, '12', ' ', '1e3', 'NaN'));

/** Asserts `e` is a ValidationError of class `kinds` whose message names its field and "expected". */
function expectClear(e: unknown, kinds: (new (...a: never[]) => MidstepError)[], fields?: readonly string[]): void {
  if (!kinds.some((k) => e instanceof k)) throw e; // shows the unexpected error and its stack
  const err = e as MidstepError;
  expect(err.message).not.toMatch(/undefined is not|cannot read|is not a function/i);
  if (err instanceof ValidationError) {
    expect(err.message.startsWith(`${err.field}: got `)).toBe(true);
    expect(err.message).toContain('expected');
    if (fields) expect(fields.some((f) => err.field === f || err.field.startsWith(f)), `field ${err.field}`).toBe(true);
  }
}

/** Every coefficient of an accepted plan is finite. */
function planIsFinite(run: ReturnType<typeof resolveRun>): boolean {
  return run.plan.rows.every((r) => r.c.every(Number.isFinite)) && Number.isFinite(run.plan.nfe) && Number.isFinite(run.plan.rounds);
}

describe('run settings (library API)', () => {
  it('any value in any field: a valid run with finite plan, or a RunOptionError/SamplerOptionError naming the field', () => {
    const samplerName = fc.oneof(fc.constantFrom(...SAMPLERS.map((s) => s.name)), anyValue);
    const smallInt = (lo: number, hi: number) => fc.oneof(fc.integer({ min: lo, max: hi }), anyValue);
    fc.assert(
      fc.property(
        fc.record({
          sampler: samplerName,
          nfe: smallInt(1, 300),
          particles: smallInt(1, 1 << 20),
          seed: fc.option(fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), anyValue), { nil: undefined }),
          offset: fc.option(smallInt(0, 2 ** 32 - 1), { nil: undefined }),
          tMax: fc.option(fc.oneof(fc.double({ min: 1e-6, max: 50, noNaN: true }), anyValue), { nil: undefined }),
          delta: fc.option(fc.oneof(fc.double({ min: 1e-9, max: 1, noNaN: true }), anyValue), { nil: undefined }),
          grid: fc.option(fc.oneof(fc.constantFrom('logsnr', 'uniform', 'edm'), anyValue), { nil: undefined }),
        }, { requiredKeys: [] }),
        fc.integer({ min: 1, max: 64 }),
        (settings, dim) => {
          try {
            const run = resolveRun(settings as never, dim);
            expect(run.particles).toBeGreaterThanOrEqual(1);
            expect(Number.isInteger(run.nfe) && run.nfe <= MAX_NFE).toBe(true);
            expect(run.delta > 0 && run.delta < run.tMax && run.tMax <= 50).toBe(true);
            expect(run.offset + run.particles).toBeLessThanOrEqual(2 ** 32);
            expect(planIsFinite(run)).toBe(true);
          } catch (e) {
            expectClear(e, [RunOptionError, SamplerOptionError, NumericalError], [...RUN_FIELDS, 'option']);
          }
        },
      ),
      { seed: SEED, numRuns: 1200 },
    );
  });

  it('extreme but valid times (delta 1e-9 .. tMax 50, nfe 1 .. 40, every grid and sampler) plan finite coefficients', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SAMPLERS.map((s) => s.name)),
        fc.double({ min: -9, max: Math.log10(49), noNaN: true }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('logsnr', 'uniform', 'edm'),
        (sampler, logDelta, tMax, nfe, grid) => {
          const delta = Math.min(10 ** logDelta, tMax * 0.999);
          try {
            expect(planIsFinite(resolveRun({ sampler, nfe, particles: 10, tMax, delta, grid: grid as never }, 3))).toBe(true);
          } catch (e) {
            // only a budget too small for the sampler may be refused
            expectClear(e, [RunOptionError, SamplerOptionError], ['nfe']);
          }
        },
      ),
      { seed: SEED + 1, numRuns: 500 },
    );
  });

  it('sampler options: unknown keys and bad values name the option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLERS), fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('variance', 'form', 'corrector', 'width', 'picard', 'order', 'passes', 'clip', 'fine', 'chain')), anyValue, { maxKeys: 3 }), (sampler, opts) => {
        try {
          const out = resolveOptions(sampler, opts);
          for (const spec of sampler.options) {
            const v = out[spec.name]!;
            if (spec.type === 'enum') expect(spec.values).toContain(v);
            else {
              expect(Number.isFinite(v as number)).toBe(true);
              if (spec.min !== undefined) expect(v as number).toBeGreaterThanOrEqual(spec.min);
              if (spec.max !== undefined) expect(v as number).toBeLessThanOrEqual(spec.max);
            }
          }
        } catch (e) {
          expectClear(e, [SamplerOptionError], ['option ']);
        }
      }),
      { seed: SEED + 2, numRuns: 600 },
    );
  });
});

/** A valid mixture description of K components in d dimensions with the given covariance kind. */
const validMixture = fc.integer({ min: 1, max: 4 }).chain((d) =>
  fc.integer({ min: 1, max: 4 }).chain((K) =>
    fc.record({
      kind: fc.constant('gmm' as const),
      weights: fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: K, maxLength: K }),
      means: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d }), { minLength: K, maxLength: K }),
      cov: fc.oneof(
        fc.record({ scales: fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: K, maxLength: K }) }),
        fc.record({ variances: fc.array(fc.array(fc.double({ min: 1e-4, max: 10, noNaN: true }), { minLength: d, maxLength: d }), { minLength: K, maxLength: K }) }),
        fc.record({ covariances: fc.array(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }), { minLength: d, maxLength: d }), { minLength: K, maxLength: K }) })
          .map(({ covariances }) => ({ covariances: covariances.map((A) => A.map((_, i) => A.map((__, j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0) + (i === j ? 0.1 : 0)))) })),
      ),
    }).map(({ cov, ...rest }) => ({ ...rest, ...cov }) as Record<string, unknown>)));

/** Replaces the value at a random path of `json` by `value` (or deletes it). */
function mutate(json: Record<string, unknown>, pathSeed: number[], value: unknown, del: boolean): unknown {
  const copy = structuredClone(json) as Record<string, unknown>;
  let node: unknown = copy;
  let key: string | number = Object.keys(copy)[pathSeed[0]! % Object.keys(copy).length]!;
  for (let depth = 1; depth < pathSeed.length; depth++) {
    const child: unknown = (node as Record<string | number, unknown>)[key];
    if (!Array.isArray(child) || child.length === 0) break;
    node = child;
    key = pathSeed[depth]! % child.length;
  }
  if (del) {
    if (Array.isArray(node)) (node as unknown[]).splice(key as number, 1);
    else delete (node as Record<string, unknown>)[key];
  } else (node as Record<string | number, unknown>)[key] = value;
  return copy;
}

const TARGET_FIELDS = ['target', 'kind', 'name', 'dim', 'weights', 'means', 'covariances', 'variances', 'scales'];

describe('target JSON', () => {
  it('any JSON value: a TargetError naming the field, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ kind: fc.constant('gmm'), weights: fc.jsonValue(), means: fc.jsonValue(), scales: fc.jsonValue() })), (json) => {
        try {
          GaussianMixture.fromJSON(json);
        } catch (e) {
          expectClear(e, [TargetError], TARGET_FIELDS);
        }
      }),
      { seed: SEED + 3, numRuns: 500 },
    );
  });

  it('a valid mixture gives finite scores and denoisers at t = delta and t = tMax', () => {
    fc.assert(
      fc.property(validMixture, (json) => {
        const g = GaussianMixture.fromJSON(json);
        const d = g.dim, s = new Float64Array(d), x0 = new Float64Array(d);
        for (const t of [1e-6, 1e-3, 1, 20]) {
          const x = Array.from({ length: d }, (_, j) => g.means[j]! * Math.exp(-t) + 0.3);
          g.evalPoint(x, 0, t, s, x0);
          expect(s.every(Number.isFinite) && x0.every(Number.isFinite)).toBe(true);
        }
      }),
      { seed: SEED + 4, numRuns: 300 },
    );
  });

  it('a valid mixture with one value replaced by a nasty one, or removed: valid, or a TargetError naming that field', () => {
    fc.assert(
      fc.property(validMixture, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), anyValue, fc.boolean(), (json, path, value, del) => {
        const bad = mutate(json, path, value, del);
        try {
          const g = GaussianMixture.fromJSON(bad);
          // accepted: then it is a finite distribution
          expect(g.weights.every((w) => w > 0 && Number.isFinite(w))).toBe(true);
          expect(g.means.every(Number.isFinite) && g.eigenvalues.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
          // and the GPU either takes it with every packed f32 finite, or names the field out of f32 range
          try {
            gmmScoreModel(g);
            expect(packMixture(g).every(Number.isFinite)).toBe(true);
            const s = new Float64Array(g.dim), x0 = new Float64Array(g.dim);
            g.evalPoint(Array.from(g.means.subarray(0, g.dim), (m) => m * Math.exp(-1e-3)), 0, 1e-3, s, x0);
            expect(s.every(Number.isFinite) && x0.every(Number.isFinite)).toBe(true);
          } catch (e) {
            expectClear(e, [TargetError], ['means', 'covariances', 'variances', 'scales']);
          }
        } catch (e) {
          expectClear(e, [TargetError], TARGET_FIELDS);
        }
      }),
      { seed: SEED + 5, numRuns: 800 },
    );
  });
});

describe('CLI flags (midstep sample, parsed in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midstep-prop-'));
  const badJson = join(dir, 'bad.json');
  writeFileSync(badJson, '{"kind": "gmm", "weights": [1, ');
  const flagValue = fc.oneof(
    fc.constantFrom('0', '-1', '1', '10', '2.5', '1e9', 'NaN', 'Infinity', '', ' ', '0x10', '1e-7', '20', '50', '51', 'abc', '--nfe'),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -5, max: 2000 }).map(String),
  );
  const pair = fc.oneof(
    fc.tuple(fc.constantFrom('--nfe', '--particles', '--seed', '--offset', '--t-max', '--delta'), flagValue),
    fc.tuple(fc.constant('--target'), fc.oneof(fc.constantFrom(...Object.keys(PRESETS), badJson, '/', 'nope', dir), fc.string({ maxLength: 5 }))),
    fc.tuple(fc.constant('--sampler'), fc.oneof(fc.constantFrom(...SAMPLERS.map((s) => s.name)), fc.string({ maxLength: 5 }))),
    fc.tuple(fc.constant('--grid'), fc.oneof(fc.constantFrom('logsnr', 'uniform', 'edm'), fc.string({ maxLength: 5 }))),
    fc.tuple(fc.constant('--opt'), fc.oneof(fc.constantFrom('variance=beta', 'variance=x', 'form=eps', 'foo=1', '=', 'width=3', 'picard=0'), fc.string({ maxLength: 6 }))),
    fc.tuple(fc.constant('--backend'), fc.constantFrom('webgpu', 'cpu', 'cuda', '')),
    fc.tuple(fc.constant('--on-non-finite'), fc.constantFrom('error', 'exclude', 'ignore', 'drop', '')),
    fc.tuple(fc.constant('--out'), fc.constantFrom('x.npy', 'x.txt', '')),
    fc.tuple(fc.constantFrom('--frobnicate', '-x', 'positional', '--json'), fc.constantFrom('1', '')),
  );
  const base = ['--target', 'ring2d', '--sampler', 'ddim', '--nfe', '10', '--particles', '100', '--out', 'x.npy'];

  it('random flags over a valid command line: parsed settings in range, or one line "midstep: error: <flag>: got ..., expected ..."', () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 4 }), fc.boolean(), (pairs, keepBase) => {
        const argv = [...(keepBase ? base : []), ...pairs.flat()];
        try {
          const a = parseSampleArgs(argv);
          expect(Number.isInteger(a.settings.nfe) && Number.isInteger(a.settings.particles)).toBe(true);
          expect(a.out.endsWith('.npy')).toBe(true);
          expect(['webgpu', 'cpu']).toContain(a.backend);
        } catch (e) {
          if (!(e instanceof MidstepError)) throw e;
          const line = errorLine(e);
          expect(line.includes('\n')).toBe(false);
          expect(line.startsWith('midstep: error: ')).toBe(true);
          if (e instanceof ValidationError) {
            expect(line).toMatch(/^midstep: error: (-{1,2}[\w-]+|target|kind|weights|means|option \S*|arguments|covariances|variances|scales|dim)\b.*: got .*expected/);
          }
        }
      }),
      { seed: SEED + 6, numRuns: 400 },
    );
  });
});

describe('.npy files', () => {
  it('random bytes and corrupted headers: a FileFormatError, or an array whose size matches its shape', () => {
    const good = encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2);
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => { const c = good.slice(); c[i] = b; return c; }),
      fc.nat({ max: good.length }).map((n) => good.slice(0, n)),
      fc.tuple(fc.constantFrom('<f4', '<f8', '<i4', '>f4', '|u1'), fc.constantFrom('(3, 2)', '(2,)', '()', '(-1, 2)', '(1e9, 1e9)', '(3, 2, 1)', '(4294967297, 1)'), fc.constantFrom('False', 'True'))
        .map(([descr, shape, fo]) => {
          const text = `{'descr': '${descr}', 'fortran_order': ${fo}, 'shape': ${shape}, }`.padEnd(118) + '\n';
          const out = new Uint8Array(10 + text.length + 24);
          out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
          for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
          return out;
        }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        try {
          const a = decodeNpy(b, 'test.npy');
          expect(a.data.length).toBe(a.rows * a.cols);
        } catch (e) {
          if (!(e instanceof FileFormatError)) throw e;
          expect(e.message).toMatch(/^test\.npy: /);
        }
      }),
      { seed: SEED + 7, numRuns: 600 },
    );
  });
});

describe('dimension agreement', () => {
  it('a sampler plans for the dimension it is given; a target JSON dim that disagrees with its means is refused', () => {
    expect(getSampler('ddim').plan({ dim: 7, nfe: 3, tMax: 10, delta: 1e-3, grid: 'logsnr', options: {} }).rows.length).toBe(3);
    expect(() => GaussianMixture.fromJSON({ kind: 'gmm', dim: 3, weights: [1], means: [[0, 0]], scales: [1] })).toThrow(/^dim: got 3, expected 2/);
  });
});

describe('engine request fields', () => {
  it('stepsPerSubmit, onNonFinite, faultCheckEvery, callbacks, signal, keepBuffer: valid batching or a RunOptionError naming the field', () => {
    const fn = fc.constant(() => {});
    fc.assert(
      fc.property(
        fc.record({
          stepsPerSubmit: fc.oneof(fc.integer({ min: 1, max: 50 }), anyValue),
          onNonFinite: fc.oneof(fc.constantFrom('error', 'exclude', 'ignore'), anyValue),
          faultCheckEvery: fc.oneof(fc.integer({ min: 1, max: 50 }), anyValue),
          onProgress: fc.oneof(fn, anyValue),
          onCheckpoint: fc.oneof(fn, anyValue),
          signal: fc.oneof(fc.constant(new AbortController().signal), anyValue),
          keepBuffer: fc.oneof(fc.boolean(), anyValue),
        }, { requiredKeys: [] }),
        fc.integer({ min: 0, max: 3000 }),
        (fields, steps) => {
          try {
            const s = resolveEngineRequest(fields, steps);
            // a batch is a positive integer: the submit loop always advances and covers every step
            expect(Number.isInteger(s.batch) && s.batch >= 1).toBe(true);
            expect(Number.isInteger(s.faultCheck.every) && s.faultCheck.every >= 1).toBe(true);
            if (s.batched) expect(Math.ceil(steps / s.batch)).toBeLessThanOrEqual(Math.max(steps, 20));
          } catch (e) {
            expectClear(e, [RunOptionError], ['stepsPerSubmit', 'onNonFinite', 'faultCheckEvery', 'onProgress', 'onCheckpoint', 'signal', 'keepBuffer']);
          }
        },
      ),
      { seed: SEED + 10, numRuns: 500 },
    );
  });
});

describe('run bookkeeping', () => {
  it('fault checks: rows are increasing, every `every` apart, end at the last step; the mask decodes to exactly its set bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 300 }), fc.uint32Array({ maxLength: 8 }), fc.integer({ min: 0, max: 256 }), (steps, every, mask, P) => {
        const rows = checkRows(steps, every);
        if (steps === 0) expect(rows).toEqual([]);
        else {
          expect(rows.at(-1)).toBe(steps - 1);
          for (let i = 1; i < rows.length; i++) expect(rows[i]! - rows[i - 1]!).toBeLessThanOrEqual(every);
          expect(rows.length).toBe(Math.ceil(steps / every));
        }
        const want: number[] = [];
        for (let i = 0; i < Math.min(P, mask.length * 32); i++) if ((mask[i >> 5]! >>> (i & 31)) & 1) want.push(i);
        expect(interpretFaults(new Uint32Array(rows.length), mask, P).bad).toEqual(want);
      }),
      { seed: SEED + 8, numRuns: 300 },
    );
  });

  it('memory: a run fails before allocation exactly when a buffer or the total is over its limit, and "at most N particles fit" is right', () => {
    const need = fc.record({ name: fc.constantFrom('particles', 'prev', 'gbuf'), perParticle: fc.integer({ min: 1, max: 4096 }), fixed: fc.integer({ min: 0, max: 1 << 16 }), storage: fc.boolean() });
    fc.assert(
      fc.property(fc.array(need, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1 << 20 }), fc.integer({ min: 1 << 10, max: 1 << 30 }), fc.integer({ min: 1 << 10, max: 1 << 30 }), fc.option(fc.integer({ min: 1 << 12, max: 2 ** 31 - 1 }), { nil: undefined }), (specs, P, maxBuf, maxBind, budget) => {
        const needsFor = (n: number): BufferNeed[] => specs.map((s, i) => ({ name: `${s.name}${i}`, bytes: s.fixed + s.perParticle * n, storage: s.storage, perParticle: s.perParticle }));
        const limits = { maxBufferSize: maxBuf, maxStorageBufferBindingSize: maxBind, budget: budget ?? Infinity };
        const over = (n: number) => needsFor(n).some((b) => b.bytes > (b.storage ? Math.min(maxBuf, maxBind) : maxBuf)) || needsFor(n).reduce((a, b) => a + b.bytes, 0) > limits.budget;
        try {
          checkRunMemory(needsFor(P), limits, P);
          expect(over(P)).toBe(false);
        } catch (e) {
          if (!(e instanceof ResourceLimitError)) throw e;
          expect(over(P)).toBe(true);
          expect(e.bytes).toBeGreaterThan(e.limit);
          const m = /at most (\d+) particles fit \(got (\d+)\)/.exec(e.message);
          const named = /^buffer "(\w+)"/.exec(e.message)?.[1];
          if (!m) {
            // a fixed-size buffer over its limit: no particle count helps
            expect(specs.length).toBeGreaterThan(0);
            return;
          }
          const fit = Number(m[1]);
          expect(fit).toBeLessThan(P);
          if (named) {
            // the named buffer holds `fit` particles and not one more
            const b = (n: number) => needsFor(n).find((x) => x.name === named)!;
            const lim = b(0).storage ? Math.min(maxBuf, maxBind) : maxBuf;
            if (fit > 0 || b(0).bytes <= lim) expect(b(fit).bytes).toBeLessThanOrEqual(lim);
            expect(b(fit + 1).bytes).toBeGreaterThan(lim);
          } else {
            const total = (n: number) => needsFor(n).reduce((a, x) => a + x.bytes, 0);
            if (fit > 0) expect(total(fit)).toBeLessThanOrEqual(limits.budget);
            expect(total(fit + 1)).toBeGreaterThan(limits.budget);
          }
        }
      }),
      { seed: SEED + 9, numRuns: 400 },
    );
  });
});
