/**
 * The page's handle on the CPU worker (demo/cpu-worker.ts): one request at a time per call, a
 * promise per request, and cancellation by terminating the worker (a new one starts on the next call).
 */
import { CancelledError, MidstepError } from '../src/errors.js';
import type { MetricName } from '../src/metrics/evaluate.js';
import type { RunSettings } from '../src/run-request.js';
import type { SnapshotOptions } from '../src/snapshots.js';
import type { GaussianMixture } from '../src/targets/gmm.js';
import type { WorkerRequest, WorkerResponse } from './cpu-worker.js';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void };
type Body<K> = K extends WorkerRequest['kind'] ? Omit<Extract<WorkerRequest, { kind: K }>, 'id' | 'target'> : never;

/** A worker that runs the float64 reference and the metrics. */
export class CpuWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private start(): Worker {
    const w = new Worker(new URL('./cpu-worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const m = e.data, p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') return p.onProgress?.(m.done, m.total);
      this.pending.delete(m.id);
      if (m.kind === 'error') {
        const err = new MidstepError(m.message);
        err.name = m.name;
        p.reject(err);
      } else p.resolve(m);
    };
    w.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new MidstepError(`CPU worker failed: ${e.message}`));
      this.pending.clear();
      this.stop();
    };
    return w;
  }

  /** Sends one request; rejects with CancelledError (and ends the worker) when `signal` aborts. */
  call<K extends WorkerRequest['kind']>(
    kind: K, target: GaussianMixture, body: Body<K>, signal?: AbortSignal, onProgress?: (done: number, total: number) => void,
  ): Promise<Extract<WorkerResponse, { kind: K }>> {
    if (signal?.aborted) return Promise.reject(new CancelledError('cancelled'));
    this.worker ??= this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.stop();
        reject(new CancelledError('run cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T>(f: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve as (r: WorkerResponse) => void), reject: done(reject), onProgress });
      this.worker!.postMessage({ ...body, id, kind, target: target.toJSON() } as WorkerRequest);
    });
  }

  /** The float64 reference run (the CPU fallback). */
  reference(target: GaussianMixture, settings: RunSettings, signal?: AbortSignal, onProgress?: (done: number, total: number) => void, snapshots?: SnapshotOptions) {
    return this.call('reference', target, { kind: 'reference', settings, snapshots } as Body<'reference'>, signal, onProgress);
  }

  /** Metrics of the first n samples (no floor draws). */
  evaluate(target: GaussianMixture, samples: Float32Array, n: number, t: number, seed: number, metrics: MetricName[], floorDraws = 0, signal?: AbortSignal) {
    return this.call('evaluate', target, { kind: 'evaluate', samples, n, t, seed, metrics, floorDraws } as Body<'evaluate'>, signal);
  }

  /** The metrics of `draws` exact sample sets of size n (the finite-sample floor, draw by draw). */
  floor(target: GaussianMixture, n: number, t: number, seed: number, metrics: MetricName[], draws = 5, signal?: AbortSignal) {
    return this.call('floor', target, { kind: 'floor', n, t, seed, metrics, draws } as Body<'floor'>, signal);
  }

  /** Ends the worker and rejects what is pending. */
  stop(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new CancelledError('run cancelled'));
    this.pending.clear();
  }
}
