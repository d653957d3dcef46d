import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../src/math/eigen.js';
import { Philox, Stream } from '../src/rng/philox.js';

/** A random symmetric matrix B + B^T from Philox normals. */
function randomSymmetric(d: number, seed: number): Float64Array {
  const rng = new Philox(seed), B = new Float64Array(d * d), A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) rng.fillNormals(B, i * d, d, i, 0, Stream.exact);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] = B[i * d + j]! + B[j * d + i]!;
  return A;
}

/** max |A U - U diag(values)| and max |U^T U - I|. */
function residuals(A: Float64Array, d: number, values: Float64Array, U: Float64Array): { eig: number; orth: number } {
  let eig = 0, orth = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let au = 0, utu = 0;
      for (let k = 0; k < d; k++) {
        au += A[i * d + k]! * U[k * d + j]!;
        utu += U[k * d + i]! * U[k * d + j]!;
      }
      eig = Math.max(eig, Math.abs(au - U[i * d + j]! * values[j]!));
      orth = Math.max(orth, Math.abs(utu - (i === j ? 1 : 0)));
    }
  }
  return { eig, orth };
}

describe('symmetricEigen', () => {
  it('diagonalises random symmetric matrices to rounding', () => {
    for (const d of [1, 2, 3, 7, 16, 40]) {
      const A = randomSymmetric(d, 1000 + d);
      const { values, vectors, sweeps } = symmetricEigen(A, d);
      const r = residuals(A, d, values, vectors);
      expect(r.eig).toBeLessThan(1e-11 * d);
      expect(r.orth).toBeLessThan(1e-12 * d);
      expect(sweeps).toBeLessThan(20);
      for (let j = 1; j < d; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
      let trace = 0, sum = 0;
      for (let i = 0; i < d; i++) {
        trace += A[i * d + i]!;
        sum += values[i]!;
      }
      expect(sum).toBeCloseTo(trace, 10);
    }
  });

  it('returns known eigenpairs of a 2 x 2 matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    // eigenvector of 3 is (1, 1)/sqrt 2 up to sign
    expect(Math.abs(vectors[0 * 2 + 1]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0 * 2 + 1]! * vectors[1 * 2 + 1]!).toBeCloseTo(0.5, 14);
  });

  it('keeps small eigenvalues of an ill-conditioned matrix accurate', () => {
    // Q diag(1e-8, 1, 1e4) Q^T with a rotation Q
    const d = 3, lam = [1e-8, 1, 1e4];
    const c = Math.cos(0.3), s = Math.sin(0.3), c2 = Math.cos(1.1), s2 = Math.sin(1.1);
    const Q = [c, -s, 0, s * c2, c * c2, -s2, s * s2, c * s2, c2];
    const A = new Float64Array(9);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) A[i * d + j]! += Q[i * d + k]! * lam[k]! * Q[j * d + k]!;
    const { values } = symmetricEigen(A, d);
    expect(values[2]! / 1e4).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(1, 9);
    expect(Math.abs(values[0]! - 1e-8)).toBeLessThan(1e-11);
  });

  it('handles diagonal and zero matrices without sweeping', () => {
    expect(symmetricEigen(Float64Array.of(3, 0, 0, 1), 2).sweeps).toBe(0);
    expect(Array.from(symmetricEigen(new Float64Array(4), 2).values)).toEqual([0, 0]);
  });

  it('rejects bad input', () => {
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(RangeError);
    expect(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(RangeError);
  });
});
