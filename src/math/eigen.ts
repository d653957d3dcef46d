/**
 * Eigendecomposition of real symmetric matrices by the cyclic Jacobi method, in float64.
 *
 * Jacobi is slower than tridiagonalisation + QR for large matrices, but it is short, needs no
 * pivoting, and gives eigenvectors that are orthonormal to rounding and small eigenvalues with
 * high relative accuracy — which is what the mixture targets need (their covariances are small,
 * d up to a few hundred, and decomposed once).
 */

/** Result of {@link symmetricEigen}. */
export interface SymmetricEigen {
  /** The d eigenvalues, ascending. */
  values: Float64Array;
  /**
   * The eigenvectors as the columns of a d x d row-major matrix U: `vectors[i*d + j]` is the i-th
   * coordinate of the eigenvector of `values[j]`, so that A = U diag(values) U^T.
   */
  vectors: Float64Array;
  /** Number of Jacobi sweeps that were needed. */
  sweeps: number;
}

/** Largest number of sweeps before giving up; cyclic Jacobi converges quadratically in 6-12. */
const MAX_SWEEPS = 100;

/**
 * Eigenvalues and orthonormal eigenvectors of the symmetric d x d row-major matrix `A`.
 * `A` is not modified; only its upper triangle is read (the lower is assumed to mirror it).
 * Throws a RangeError if `A` has the wrong length or holds non-finite numbers.
 */
export function symmetricEigen(A: ArrayLike<number>, d: number): SymmetricEigen {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`symmetricEigen: d must be a positive integer, got ${d}`);
  if (A.length !== d * d) throw new RangeError(`symmetricEigen: expected ${d * d} entries, got ${A.length}`);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = A[i * d + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`symmetricEigen: entry (${i}, ${j}) is ${v}`);
      a[i * d + j] = v;
      a[j * d + i] = v;
    }
  }
  const V = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;

  let sweeps = 0;
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let off = 0, diag = 0;
    for (let i = 0; i < d; i++) {
      diag += a[i * d + i]! * a[i * d + i]!;
      for (let j = i + 1; j < d; j++) off += a[i * d + j]! * a[i * d + j]!;
    }
    if (off === 0 || off <= 1e-30 * diag) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) rotate(a, V, d, p, q);
    }
  }
  return sortAscending(a, V, d, sweeps);
}

/** One Jacobi rotation in the (p, q) plane that zeroes a[p][q]; updates a and the columns of V. */
function rotate(a: Float64Array, V: Float64Array, d: number, p: number, q: number): void {
  const apq = a[p * d + q]!;
  if (apq === 0) return;
  const app = a[p * d + p]!, aqq = a[q * d + q]!;
  // Skip rotations that are below rounding of both diagonal entries (they cannot change anything).
  if (Math.abs(apq) < 1e-300 || (Math.abs(apq) * 1e18 < Math.abs(app) && Math.abs(apq) * 1e18 < Math.abs(aqq))) {
    a[p * d + q] = 0;
    a[q * d + p] = 0;
    return;
  }
  const theta = (aqq - app) / (2 * apq);
  // Smaller root of t^2 + 2 theta t - 1 = 0, written to avoid overflow for huge theta.
  const t = Math.abs(theta) > 1e150
    ? 1 / (2 * theta)
    : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1), s = t * c;
  // Columns p and q of A J, then rows p and q of J^T (A J).
  for (let k = 0; k < d; k++) {
    const akp = a[k * d + p]!, akq = a[k * d + q]!;
    a[k * d + p] = c * akp - s * akq;
    a[k * d + q] = s * akp + c * akq;
  }
  for (let k = 0; k < d; k++) {
    const apk = a[p * d + k]!, aqk = a[q * d + k]!;
    a[p * d + k] = c * apk - s * aqk;
    a[q * d + k] = s * apk + c * aqk;
  }
  a[p * d + q] = 0;
  a[q * d + p] = 0;
  for (let k = 0; k < d; k++) {
    const vkp = V[k * d + p]!, vkq = V[k * d + q]!;
    V[k * d + p] = c * vkp - s * vkq;
    V[k * d + q] = s * vkp + c * vkq;
  }
}

/** Packs the diagonal of `a` and the columns of V into ascending order of eigenvalue. */
function sortAscending(a: Float64Array, V: Float64Array, d: number, sweeps: number): SymmetricEigen {
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[i * d + i]! - a[j * d + j]!);
  const values = new Float64Array(d), vectors = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const src = order[j]!;
    values[j] = a[src * d + src]!;
    for (let i = 0; i < d; i++) vectors[i * d + j] = V[i * d + src]!;
  }
  return { values, vectors, sweeps };
}
