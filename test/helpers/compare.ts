/** Comparisons of GPU (f32) results with float64 references, shared by the tests. */

/** Largest |a - b| / (1 + |b|) over all entries (b is the reference). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return max;
}

/** Largest |gpu - ref| / (1 + |ref|) over all coordinates, and the fraction of particles (rows of d) beyond tol. */
export function compareParticles(gpu: ArrayLike<number>, ref: ArrayLike<number>, d: number, tol: number): { maxErr: number; badFraction: number } {
  let maxErr = 0, bad = 0;
  const n = ref.length / d;
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < d; j++) e = Math.max(e, Math.abs(gpu[i * d + j]! - ref[i * d + j]!) / (1 + Math.abs(ref[i * d + j]!)));
    maxErr = Math.max(maxErr, e);
    if (!(e <= tol)) bad++;
  }
  return { maxErr, badFraction: bad / n };
}
