/**
 * Lagrange interpolation and exponentially weighted quadrature weights, in float64, for the
 * high-order (HEROISM) sampler (ALGORITHMS.md 4.3, in the data-prediction form of 10.1 item 3).
 * Pure functions; nodes live on [0, 1].
 */

/** Gauss-Legendre nodes and weights on [0, 1] with `n` points (Newton on P_n, float64). */
export function gaussLegendre01(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      if (n === 1) [p0, p1] = [1, z];
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = (1 - z) / 2;
    w[i] = 1 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

/** `p` Chebyshev-Lobatto nodes (1 - cos(pi j / (p - 1))) / 2 on [0, 1], increasing; [0] for p = 1. Equispaced for p <= 3. */
export function chebyshevLobatto01(p: number): Float64Array {
  if (p === 1) return Float64Array.of(0);
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) out[j] = (1 - Math.cos((Math.PI * j) / (p - 1))) / 2;
  out[0] = 0;
  out[p - 1] = 1;
  if (p % 2 === 1) out[(p - 1) / 2] = 0.5;
  return out;
}

/** Value at `y` of the Lagrange basis polynomial l_j of `nodes` (l_j(nodes[k]) = [j = k]). */
export function lagrangeBasis(nodes: ArrayLike<number>, j: number, y: number): number {
  let v = 1;
  for (let k = 0; k < nodes.length; k++) if (k !== j) v *= (y - nodes[k]!) / (nodes[j]! - nodes[k]!);
  return v;
}

const GL = gaussLegendre01(64);

/**
 * w_j = H int_0^u e^{-H (u - y)} l_j(y) dy for each node j, by 64-point Gauss-Legendre on [0, u]
 * (exact to rounding for the polynomial-times-exponential integrands here). These are the weights
 * of the Lagrange interpolant of x0hat in the (I-x0) identity: over a log-SNR step of length H,
 * x(tau)/sigma(tau) = x_0/sigma_0 + int e^lambda x0hat dlambda gives
 *   x(u) = (sigma_u / sigma_0) x_0 + m_u sum_j w_j(u) x0hat(y_j).
 * Their sum is -expm1(-H u) (DDIM's weight when x0hat is constant).
 */
export function expLagrangeWeights(nodes: ArrayLike<number>, H: number, u: number): Float64Array {
  const p = nodes.length;
  const out = new Float64Array(p);
  for (let q = 0; q < GL.x.length; q++) {
    const y = u * GL.x[q]!;
    const k = H * u * GL.w[q]! * Math.exp(-H * (u - y));
    for (let j = 0; j < p; j++) out[j] = out[j]! + k * lagrangeBasis(nodes, j, y);
  }
  return out;
}
