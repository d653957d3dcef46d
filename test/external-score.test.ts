/** External scores: a separate pipeline (the tiled dataset kernel) writes the scores each round. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { toyDataset } from '../src/data/toy2d.js';
import { sampleReference } from '../src/reference.js';
import { DatasetScorePipeline, datasetExternalModel, tilePoints } from '../src/scores/dataset-batch.js';
import { datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';
import { checkStagedKernels, EXTERNAL_SAMPLERS, externalScoreModel } from '../src/scores/external-score.js';
import { NumericalError } from '../src/errors.js';
import { bernoulliThreshold } from '../src/math/poisson-midpoint.js';
import { Philox } from '../src/rng/philox.js';
import { PMM_CAP_LANES, pmmActive } from '../src/samplers/poisson-midpoint-draws.js';
import { pmmSchedule } from '../src/samplers/poisson-midpoint.js';
import type { KernelSpec } from '../src/samplers/types.js';
import type { Checkpoint } from '../src/checkpoint.js';
import { maxRelDiff } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

describe('external score', () => {
  // 150 points of two moons: 3 tiles of 64 (the last one partial)
  const moons: Dataset = { name: 'moons150', n: 150, dim: 2, points: toyDataset('two-moons', 150, 5) };

  interface Seen { rounds: number; last: number; counts: Set<number>; slots: number }
  const fresh = (): Seen => ({ rounds: 0, last: -1, counts: new Set(), slots: 0 });
  /** The dataset pipeline as an app's external model that counts its rounds and records their sizes. */
  const counted = (pipe: DatasetScorePipeline, seen: Seen) =>
    externalScoreModel({
      name: `${pipe.dataset.name} (counted)`, dim: pipe.dataset.dim, output: pipe.output,
      encode: (encoder, round) => {
        expect(round.round).toBe(seen.last + 1); // batches arrive in order, one per round
        seen.last = round.round;
        seen.rounds++;
        seen.counts.add(round.count);
        seen.slots = round.slots;
        pipe.encode(encoder, round);
      },
    });

  // every sampler, and the options that add kernels: odd nfe (heun's Euler row, randomized-midpoint's
  // single step), correctors (ulmc-corrector, parallel-ulmc), lanes (parallel-midpoint, heroism);
  // counts: the batch sizes of its rounds, in particles (particles x lanes of the kernels that evaluate)
  // (output: what the app writes; converting x0hat to a score in f32 loses digits at small t, so the
  // score-form step gets the score, as an app would give the form its network predicts)
  const cases: { sampler: string; nfe: number; options?: Record<string, number | string>; counts: number[]; output?: 'score' }[] = [
    ...['euler-maruyama', 'ddpm', 'ddim', 'dpmpp-2m', 'accelerated-sde'].map((sampler) => ({ sampler, nfe: 12, counts: [1] })),
    { sampler: 'heun', nfe: 11, counts: [1] },
    { sampler: 'randomized-midpoint', nfe: 11, options: { form: 'score' }, counts: [1], output: 'score' },
    { sampler: 'randomized-midpoint', nfe: 16, options: { corrector: 'ulmc', 'corrector-steps': 2 }, counts: [1] },
    { sampler: 'randomized-midpoint', nfe: 16, options: { corrector: 'rm-ulmc', 'corrector-steps': 2, form: 'eps' }, counts: [1] },
    { sampler: 'parallel-midpoint', nfe: 20, options: { width: 4, picard: 1 }, counts: [1, 4] },
    { sampler: 'parallel-midpoint', nfe: 30, options: { width: 3, picard: 1, start: 'free', corrector: 'ulmc', 'corrector-steps': 2, 'corrector-picard': 1, 'corrector-every': 2 }, counts: [2, 3] },
    { sampler: 'heroism', nfe: 14, counts: [1, 2] },
    // START and MID evaluate, FINISH sums the list (MID: the list's PMM_CAP_LANES entries per particle)
    ...['ddpm', 'overdamped', 'underdamped'].map((chain) => ({ sampler: 'poisson-midpoint', nfe: 12, options: { chain, k: 4 }, counts: [1, PMM_CAP_LANES], output: chain === 'ddpm' ? undefined : 'score' as const })),
  ];

  it('gives the same samples as the fused score of the same dataset, for every sampler, one batch per round', async () => {
    const pipes = { x0: await DatasetScorePipeline.create(engine.gpu.device, moons), score: await DatasetScorePipeline.create(engine.gpu.device, moons, 'score') };
    expect(pipes.x0.tile).toBe(64);
    const fused = datasetScoreModel(moons);
    const covered = new Set<string>();
    for (const c of cases) {
      // 200 particles: four workgroups, the last one partly out of range
      const s = { sampler: c.sampler, nfe: c.nfe, options: c.options, particles: 200, seed: 6 };
      const seen = fresh();
      const a = await engine.sample({ target: counted(pipes[c.output ?? 'x0'], seen), ...s });
      const b = await engine.sample({ target: fused, ...s });
      const what = `${c.sampler} ${JSON.stringify(c.options ?? {})}`;
      expect([a.nfe, a.nfeRealised, a.rounds, a.steps], what).toEqual([b.nfe, b.nfeRealised, b.rounds, b.steps]);
      // every evaluation a round needs is in one batch: as many app rounds as sequential rounds
      expect(seen.rounds, what).toBe(a.rounds);
      // a round's batch is particles x lanes of its kernel; the buffers hold the widest
      expect([...seen.counts].sort((x, y) => x - y), what).toEqual(c.counts.map((k) => 200 * k));
      expect(seen.slots, what).toBe(200 * Math.max(...c.counts));
      expect(maxRelDiff(a.samples!, b.samples!), what).toBeLessThan(1e-4);
      covered.add(c.sampler);
    }
    expect([...covered].sort()).toEqual([...EXTERNAL_SAMPLERS].sort());
    pipes.x0.destroy();
    pipes.score.destroy();
  });

  it('replays the in-kernel evaluations at d = 16 as the fused score does', async () => {
    // a 16-dimensional dataset of 40 points; the samplers that evaluate inside their kernels
    const n = 40, d = 16;
    const data: Dataset = { name: 'wave16', n, dim: d, points: Float32Array.from({ length: n * d }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
    const pipes = { x0: await DatasetScorePipeline.create(engine.gpu.device, data, 'x0', 16), score: await DatasetScorePipeline.create(engine.gpu.device, data, 'score', 16) };
    const fused = datasetScoreModel(data);
    for (const c of cases.filter((x) => ['heun', 'randomized-midpoint', 'parallel-midpoint', 'heroism', 'poisson-midpoint'].includes(x.sampler) && !x.options?.corrector && !['overdamped', 'underdamped'].includes(x.options?.chain as string))) {
      const s = { sampler: c.sampler, nfe: c.nfe, options: c.options, particles: 100, seed: 3 };
      const seen = fresh();
      const a = await engine.sample({ target: counted(pipes[c.output ?? 'x0'], seen), ...s });
      const b = await engine.sample({ target: fused, ...s });
      const what = `${c.sampler} ${JSON.stringify(c.options ?? {})}`;
      expect([a.nfe, a.rounds], what).toEqual([b.nfe, b.rounds]);
      expect(seen.rounds, what).toBe(a.rounds);
      expect(maxRelDiff(a.samples!, b.samples!), what).toBeLessThan(2e-4);
    }
    pipes.x0.destroy();
    pipes.score.destroy();
  });

  it('resumes a staged run from a mid-run checkpoint bit for bit, with the same round numbering', async () => {
    const pipe = await DatasetScorePipeline.create(engine.gpu.device, moons);
    let log: number[][] = [];
    const model = externalScoreModel({
      name: 'recorded', dim: 2, output: 'x0',
      encode: (encoder, round) => {
        log.push([round.round, round.row, round.evaluation]);
        pipe.encode(encoder, round);
      },
    });
    const s = { target: model, sampler: 'heroism', nfe: 14, particles: 64, seed: 9 };
    const whole = await engine.sample(s);
    const wholeLog = log;
    log = [];
    expect(wholeLog.map((r) => r[0])).toEqual(wholeLog.map((_, k) => k));
    expect(wholeLog.length).toBe(whole.rounds);
    const cps: Checkpoint[] = [];
    await engine.sample({ ...s, stepsPerSubmit: 3, onCheckpoint: (cp) => { cps.push(cp); } });
    const mid = cps[Math.floor(cps.length / 2)]!;
    expect(mid.stepsDone).toBeGreaterThan(0);
    expect(mid.stepsDone).toBeLessThan(whole.steps);
    log = [];
    const resumed = await engine.sample({ ...s, resumeFrom: mid });
    expect(Array.from(new Uint32Array(resumed.samples!.buffer))).toEqual(Array.from(new Uint32Array(whole.samples!.buffer)));
    expect(log).toEqual(wholeLog.filter((r) => r[1]! >= mid.stepsDone));
    pipe.destroy();
  });

  it('plans chunks to fit the staged buffers of an app\'s score: a budget that holds the state but not the cache splits the run, same samples', async () => {
    const pipe = await DatasetScorePipeline.create(engine.gpu.device, moons);
    const model = datasetExternalModel(pipe);
    const settings = { target: model, sampler: 'heroism', nfe: 14, particles: 200, seed: 6 };
    const whole = await engine.sample(settings);
    expect(whole.chunks).toBe(1);
    // heroism at d = 2: about 90 bytes per particle of state, node values and readback; the staged
    // points, times, output and two evaluations' cache over 2 lanes add about 100 more
    const budgeted = await engine.sample({ ...settings, deviceBudgetBytes: 200 * 130 });
    expect(budgeted.chunks).toBeGreaterThan(1);
    expect(Array.from(budgeted.samples!)).toEqual(Array.from(whole.samples!));
    pipe.destroy();
  });

  it('streams tiles through workgroup memory and matches the float64 reference, in both output forms', async () => {
    // d = 10 (padded to 3 vec4s), 150 points in tiles of 16 (the last one partial); SwiftShader
    // compiles this kernel for d in the hundreds only in minutes, so MNIST runs in the fused form above
    const n = 150, d = 10;
    const data: Dataset = { name: 'wave', n, dim: d, points: Float32Array.from({ length: n * d }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
    expect(tilePoints(784)).toBe(5);
    for (const output of ['x0', 'score'] as const) {
      const pipe = await DatasetScorePipeline.create(engine.gpu.device, data, output, 16);
      const model = datasetExternalModel(pipe);
      const s = { sampler: 'ddim', nfe: 6, particles: 70, seed: 2 };
      const g = await engine.sample({ target: model, ...s });
      const r = sampleReference({ target: model, ...s });
      expect(maxRelDiff(g.samples!, r.samples), output).toBeLessThan(5e-4);
      pipe.destroy();
    }
  });

  it('turns a poisson-midpoint particle whose pairs overflow the list non-finite, and refuses indirect kernels', async () => {
    // one particle: its list holds PMM_CAP_LANES pairs; find a seed where a coarse step has more
    const nfe = 16, k = 6;
    const { M, K } = pmmSchedule(nfe, k, 1000);
    const { thr } = bernoulliThreshold(K);
    const overflows = (seed: number) => Array.from({ length: M }, (_, b) => pmmActive(new Philox(seed), 0, b + 1, K, thr).length).some((n) => n > PMM_CAP_LANES);
    const seed = Array.from({ length: 100 }, (_, s) => s).find(overflows)!;
    expect(seed).toBeDefined();
    const pipe = await DatasetScorePipeline.create(engine.gpu.device, moons);
    const s = { sampler: 'poisson-midpoint', nfe, options: { k }, particles: 1, seed };
    await expect(engine.sample({ target: datasetExternalModel(pipe), ...s })).rejects.toThrow(NumericalError);
    const fused = await engine.sample({ target: datasetScoreModel(moons), ...s });
    expect(fused.samples!.every(Number.isFinite)).toBe(true);
    pipe.destroy();
    const indirect: KernelSpec = { shader: 'k', defines: {}, wantScore: true, wantX0: false, indirect: { buffer: 'args', offset: 0 } };
    expect(() => checkStagedKernels('ext', [indirect])).toThrow(/kernel k is dispatched indirectly, which a staged replay cannot repeat; external scores run with euler-maruyama, .*, poisson-midpoint/);
    const model = externalScoreModel({ name: 'ext', dim: 2, encode: () => {} });
    expect(() => model.evalPoint([0, 0], 0, 1, new Float64Array(2), null)).toThrow(/no float64 reference/);
  });
});
