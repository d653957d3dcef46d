/**
 * The demo's CPU worker: the float64 reference sampler (the fallback without WebGPU) and the
 * metrics, off the page's main thread so the page stays responsive and a run can be cancelled
 * by terminating the worker.
 */
import { sampleReference } from '../src/reference.js';
import { evaluateSamples, type MetricName } from '../src/metrics/evaluate.js';
import { deriveSeed } from '../src/metrics/common.js';
import { loadTarget } from '../src/targets/presets.js';
import type { GmmJson } from '../src/targets/gmm.js';
import type { RunSettings } from '../src/run-request.js';
import type { RunSnapshots, SnapshotOptions } from '../src/snapshots.js';

/** Messages the worker takes. */
export type WorkerRequest =
  | { id: number; kind: 'reference'; target: GmmJson; settings: RunSettings; snapshots?: SnapshotOptions }
  | { id: number; kind: 'evaluate'; target: GmmJson; samples: Float32Array; n: number; t: number; seed: number; metrics: MetricName[]; floorDraws: number }
  | { id: number; kind: 'floor'; target: GmmJson; n: number; t: number; seed: number; metrics: MetricName[]; draws: number };

/** Its answers: a result, progress of a reference run, or an error message. */
export type WorkerResponse =
  | { id: number; kind: 'reference'; samples: Float32Array; nfe: number; rounds: number; seconds: number; snapshots: RunSnapshots | null }
  | { id: number; kind: 'evaluate'; metrics: Record<string, number>; floor: Record<string, number> }
  | { id: number; kind: 'floor'; values: Record<string, number[]> }
  | { id: number; kind: 'progress'; done: number; total: number }
  | { id: number; kind: 'error'; name: string; message: string };

const post = (m: WorkerResponse, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  try {
    const target = loadTarget(req.target);
    if (req.kind === 'reference') {
      const r = sampleReference({ ...req.settings, target, snapshots: req.snapshots, onProgress: (done, total) => post({ id: req.id, kind: 'progress', done, total }) });
      const samples = Float32Array.from(r.samples);
      post({ id: req.id, kind: 'reference', samples, nfe: r.nfe, rounds: r.rounds, seconds: r.seconds, snapshots: r.snapshots }, [samples.buffer, ...(r.snapshots?.frames.map((f) => f.x.buffer) ?? [])]);
    } else if (req.kind === 'floor') {
      // the finite-sample floor draw by draw: exact samples judged like a run's (their mean is evaluateSamples' floor)
      const values: Record<string, number[]> = {};
      for (let r = 0; r < req.draws; r++) {
        const exact = target.sample(req.n, req.t, deriveSeed(req.seed, 100 + r));
        const ev = evaluateSamples(target, exact, req.n, { t: req.t, seed: req.seed, metrics: req.metrics, floorDraws: 0 });
        for (const [k, v] of Object.entries(ev.metrics)) (values[k] ??= []).push(v);
      }
      post({ id: req.id, kind: 'floor', values });
    } else {
      const ev = evaluateSamples(target, req.samples, req.n, { t: req.t, seed: req.seed, metrics: req.metrics, floorDraws: req.floorDraws });
      post({ id: req.id, kind: 'evaluate', metrics: ev.metrics, floor: ev.floor });
    }
  } catch (err) {
    const x = err instanceof Error ? err : new Error(String(err));
    post({ id: req.id, kind: 'error', name: x.name, message: x.message });
  }
};
