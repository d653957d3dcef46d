/**
 * Waiting for the GPU without a busy core. In Node, the `webgpu` package (Dawn's binding) delivers
 * the results of its promises (`mapAsync`, `onSubmittedWorkDone`, ...) by pumping Dawn's events
 * with `setImmediate` for as long as any of them is pending, so the JS thread spins at 100% of a
 * core for the whole wait. On a software adapter the kernels run on the same cores (SwiftShader's
 * worker threads), and the spinning thread takes one of them away: on the 2-core machine a
 * 165 ms dispatch took 255-340 ms while awaited that way (`bench/gpu-wait.ts`, README
 * "Performance"). {@link settle} instead sleeps the thread in short slices (`Atomics.wait`, no
 * CPU) and lets the event loop turn once between slices, so the binding's pump runs once per
 * slice: the wait costs microseconds of CPU per slice and at most one slice of latency.
 * In a browser the WebGPU implementation runs outside the page's thread and the main thread may
 * not block: there the mode is `'await'`, a plain `await`.
 */

/** How to wait for a GPU promise: sleep in slices (Node) or a plain `await` (browsers). */
export type GpuWaitMode = 'sleep' | 'await';

/** Length of one sleep slice, milliseconds: the most a wait adds to the GPU's own time. */
export const WAIT_SLICE_MS = 1;

/** Whether this environment can sleep a thread: Node (setImmediate, Atomics.wait), not a browser window. */
function canSleep(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return (
    typeof proc?.versions?.node === 'string' &&
    typeof (globalThis as { window?: unknown }).window === 'undefined' &&
    typeof setImmediate === 'function' &&
    typeof SharedArrayBuffer === 'function' &&
    typeof Atomics.wait === 'function'
  );
}

/**
 * The mode for this JS environment: `'sleep'` in Node, `'await'` elsewhere (browsers). The
 * environment variable MIDSTEP_GPU_WAIT (`sleep` or `await`) overrides it in Node.
 */
export function defaultWaitMode(): GpuWaitMode {
  if (!canSleep()) return 'await';
  const forced = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MIDSTEP_GPU_WAIT;
  return forced === 'await' ? 'await' : 'sleep';
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves as `promise` does. With mode `'sleep'` the calling thread sleeps `sliceMs` at a time
 * (`Atomics.wait`) between single turns of the event loop until the promise settles, instead of
 * leaving the loop to Dawn's busy pump; with `'await'` (or where a thread cannot sleep, as in a
 * browser) this is `await promise`.
 */
export async function settle<T>(promise: Promise<T>, mode: GpuWaitMode = 'await', sliceMs = WAIT_SLICE_MS): Promise<T> {
  if (mode === 'await' || !canSleep()) return promise;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  // one turn first: promises that are already settled (or settle in the next pump) cost no sleep
  await nextTurn();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (outcome === null) {
    Atomics.wait(cell, 0, 0, sliceMs);
    await nextTurn();
  }
  const o = outcome as { ok: true; value: T } | { ok: false; error: unknown };
  if (!o.ok) throw o.error;
  return o.value;
}
