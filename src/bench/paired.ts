/**
 * Paired timing for a shared, noisy machine: the kernel and its reference (the FMA micro-benchmark,
 * the CPU reference) are timed alternately, and the figure kept is the median of the per-pair
 * ratios, so load that comes and goes hits both sides of each pair alike.
 */
import { median } from './timing.js';

/** Median of time(a) / time(b) over `pairs` alternating runs (after one warm-up of each). */
export async function pairedRatio(a: () => Promise<number>, b: () => Promise<number>, pairs = 5): Promise<{ ratio: number; a: number; b: number }> {
  await a();
  await b();
  const ra: number[] = [], rb: number[] = [], q: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const ta = await a();
    const tb = await b();
    if (!(ta > 0 && tb > 0 && Number.isFinite(ta / tb))) continue;
    ra.push(ta);
    rb.push(tb);
    q.push(ta / tb);
  }
  if (q.length === 0) throw new RangeError('pairedRatio: no pair gave two positive finite times');
  return { ratio: median(q), a: median(ra), b: median(rb) };
}
