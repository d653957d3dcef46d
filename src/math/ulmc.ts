/**
 * Coefficients of the underdamped Langevin corrector (ALGORITHMS.md 3.3), float64, in forms that do
 * not cancel for small gamma * step. State (x, v), target q_t x N(0, I):
 *   dx = v dtau,  dv = (s(x) - gamma v) dtau + sqrt(2 gamma) dB.
 * With phi(l) = (1 - e^{-gamma l}) / gamma, a Brownian segment of length l gives the pair
 *   J0 = int dB = sqrt(l) z1,  J1 = int e^{-gamma(end - r)} dB = (phi / sqrt(l)) z1 + sqrt(v1 - phi^2 / l) z2,
 *   v1 = (1 - e^{-2 gamma l}) / (2 gamma).
 */

/** phi(l) = -expm1(-gamma l) / gamma. */
export const ulmcPhi = (gamma: number, l: number): number => -Math.expm1(-gamma * l) / gamma;

/** l - phi(l) = (gamma l + expm1(-gamma l)) / gamma, by its series when gamma l is small. */
export function lMinusPhi(gamma: number, l: number): number {
  const x = gamma * l;
  if (x < 1e-3) return (l * x) * (0.5 - x / 6 + (x * x) / 24);
  return (x + Math.expm1(-x)) / gamma;
}

/** v1 - phi^2 / l, the variance of J1 left after its part along J0; series below gamma l = 0.05 (ALGORITHMS.md 1.4). */
export function pairResidualVariance(gamma: number, l: number): number {
  if (l <= 0) return 0;
  const x = gamma * l;
  if (x < 0.05) return l * x * x * (1 / 12 - x / 12 + (17 * x * x) / 360 - (7 * x ** 3) / 360 + (43 * x ** 4) / 6720);
  const phi = ulmcPhi(gamma, l);
  return -Math.expm1(-2 * x) / (2 * gamma) - (phi * phi) / l;
}

/**
 * Coefficients of one exponential-integrator ULMC step of size eta [CCL+23a; ALGORITHMS.md 3.3]:
 *   x' = x + phi v + ((eta - phi) / gamma) g + xi_x,   v' = e^{-gamma eta} v + phi g + xi_v,
 * with xi_x = (sqrt(2 gamma) / gamma)(J0 - J1) = nx1 z1 + nx2 z2 and xi_v = sqrt(2 gamma) J1 = nv1 z1 + nv2 z2.
 */
export function eiUlmcStep(gamma: number, eta: number) {
  const phi = ulmcPhi(gamma, eta);
  const s = Math.sqrt(2 * gamma);
  const sq = Math.sqrt(eta);
  const res = Math.sqrt(pairResidualVariance(gamma, eta));
  return {
    phi,
    gradX: lMinusPhi(gamma, eta) / gamma,
    decay: Math.exp(-gamma * eta),
    nx1: (s / gamma) * (lMinusPhi(gamma, eta) / sq), // (sqrt(2g)/g) (sqrt(eta) - phi/sqrt(eta))
    nx2: -(s / gamma) * res,
    nv1: s * (phi / sq),
    nv2: s * res,
  };
}

/** Per-coordinate covariance of (xi_x, xi_v) of an EI-ULMC step, in closed form (for tests). */
export function eiUlmcNoiseCovariance(gamma: number, eta: number) {
  const x = gamma * eta;
  const phi = ulmcPhi(gamma, eta);
  return {
    varX: (2 / gamma) * (eta - (2 * -Math.expm1(-x)) / gamma + -Math.expm1(-2 * x) / (2 * gamma)),
    varV: -Math.expm1(-2 * x),
    cov: gamma * phi * phi,
  };
}

/**
 * Closed-form per-coordinate covariance of the randomized-midpoint ULMC increments (W1, W2, W3)
 * with midpoint a = alpha eta (ALGORITHMS.md 3.3), for tests.
 */
export function rmUlmcCovariance(gamma: number, eta: number, a: number) {
  const E = Math.exp;
  const varW = (l: number) => (2 / gamma) * (l - (2 * (1 - E(-gamma * l))) / gamma + (1 - E(-2 * gamma * l)) / (2 * gamma));
  return {
    v11: varW(a),
    v22: varW(eta),
    v33: 1 - E(-2 * gamma * eta),
    c23: (1 - E(-gamma * eta)) ** 2 / gamma,
    c12: (2 / gamma) * (a - (1 - E(-gamma * a)) / gamma - (E(-gamma * (eta - a)) - E(-gamma * eta)) / gamma + (E(-gamma * (eta - a)) - E(-gamma * (eta + a))) / (2 * gamma)),
    c13: 2 * ((E(-gamma * (eta - a)) - E(-gamma * eta)) / gamma - (E(-gamma * (eta - a)) - E(-gamma * (eta + a))) / (2 * gamma)),
  };
}

/**
 * The increments (W1, W2, W3) of a randomized-midpoint ULMC step from four standard normals, by
 * splitting the Brownian path at a (ALGORITHMS.md 3.3): (J0, J1) on [0, a], (K0, K1) on [a, eta],
 *   W1 = (sqrt(2g)/g)(J0 - J1),  W2 = (sqrt(2g)/g)(J0 - e^{-g(eta-a)} J1 + K0 - K1),
 *   W3 = sqrt(2g)(e^{-g(eta-a)} J1 + K1).
 * J0 - J1 is formed as ((l - phi)/sqrt(l)) z1 - sqrt(res) z2 so it does not cancel.
 */
export function rmUlmcIncrements(gamma: number, eta: number, a: number, z1: number, z2: number, z3: number, z4: number): [number, number, number] {
  const s = Math.sqrt(2 * gamma);
  const pair = (l: number, u1: number, u2: number): [number, number, number] => {
    if (l <= 0) return [0, 0, 0];
    const sq = Math.sqrt(l);
    const r = Math.sqrt(pairResidualVariance(gamma, l));
    const j1 = (ulmcPhi(gamma, l) / sq) * u1 + r * u2;
    const j0mj1 = (lMinusPhi(gamma, l) / sq) * u1 - r * u2;
    return [sq * u1, j1, j0mj1];
  };
  const [, j1, j0mj1] = pair(a, z1, z2);
  const [, k1, k0mk1] = pair(eta - a, z3, z4);
  const e = Math.exp(-gamma * (eta - a));
  // J0 - e J1 = (J0 - J1) + (1 - e) J1
  const w1 = (s / gamma) * j0mj1;
  const w2 = (s / gamma) * (j0mj1 + -Math.expm1(-gamma * (eta - a)) * j1 + k0mk1);
  const w3 = s * (e * j1 + k1);
  return [w1, w2, w3];
}
