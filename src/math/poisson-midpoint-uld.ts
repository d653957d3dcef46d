/**
 * Float64 coefficients and the one-block maps of the Poisson midpoint method on an UNDERDAMPED
 * Langevin base chain (Kandasamy and Nagaraj 2024, ULMC case; ALGORITHMS.md 6.2 with the operators
 * of 3.3). Pure functions.
 *
 * Base process [D, ours; the paper's diffusion experiments use the DDPM chain, its ULMC results are
 * for a fixed target]: the reverse OU process written as probability-flow transport plus underdamped
 * Langevin dynamics at the current time, state (x, v), reverse OU time tau (dtau = -dt):
 *   dx = (x + s_t(x) + v) dtau,   dv = (s_t(x) - gamma v) dtau + sqrt(2 gamma) dB.
 * The flow part maps q_t x N(0, I) to q_{t - dtau} x N(0, I) (it moves x only) and the Langevin part
 * keeps q_t x N(0, I), so with (x, v) ~ q_T x N(0, I) at the start x has the marginals q_t.
 *
 * Fine chain (the general form of 6.2, X_{j+1} = A X_j + G b(X_j, t_j) + Gamma Z_j, with b = (F, s),
 * F = x + s_t(x), frozen over a fine step of length l = t_j - t_{j+1}):
 *   A_l (x, v) = (x + phi(l) v, e^{-gamma l} v),
 *   G_l (F, s) = (l F + psi(l) s, phi(l) s),   phi(l) = (1 - e^{-gamma l}) / gamma,  psi(l) = (l - phi(l)) / gamma,
 *   Gamma_l Z  = the EI-ULMC pair (xi_x, xi_v) of step l (3.3; 2 normals per coordinate),
 * i.e. the exponential-integrator ULMC step of 3.3 plus an Euler step of the flow drift F (as the
 * `overdamped` chain freezes x + 2 s). A_l = exp(M l) with M = [[0, 1], [0, -gamma]], so A_a A_b = A_{a+b}
 * and K fine steps with b frozen compose to ONE step of length tau_K (6.2: A^i = A_{i l}).
 *
 * Coarse step from X_0 = (x_0, v_0), tau_i = t_0 - t_i, H_i ~ Bernoulli(1/K) for i = 1..K-1 (6.2):
 *   midpoints  x+_i = x_0 + tau_i F_0 + phi(tau_i) v_0 + psi(tau_i) s_0 + Nx(tau_i)     (b frozen at b_0)
 *   end        X_K  = A_{tau_K} X_0 + G_{tau_K} b_0 + sum_{H_i = 1} w A_{r_i} G_{l_i} (b(x+_i, t_i) - b_0) + N(tau_K),
 *              r_i = tau_K - tau_{i+1}, l_i = tau_{i+1} - tau_i, w = 1 / P(H_i = 1),
 * with N(tau) = int_0^tau exp(M (tau - r)) (0, sqrt(2 gamma)) dB_r ONE Brownian path shared by the
 * midpoints and the end (8 item 3). Only x+ is needed at a midpoint (b does not depend on v), and
 * b(x+_i) - b_0 = (x+_i - x_0 + ds_i, ds_i) with ds_i = s(x+_i) - s_0.
 */
import { eiUlmcStep, lMinusPhi, ulmcPhi } from './ulmc.js';

/** Coefficients of one underdamped block; arrays are indexed by fine index 0..K. */
export interface PmmUldBlock {
  K: number;
  gamma: number;
  times: Float64Array;
  /** tau_i = t_0 - t_i. */
  tau: Float64Array;
  /** phi(tau_i): coefficient of v_0 in x_i (and of s_0 in v_i). */
  phi: Float64Array;
  /** tau_i + psi(tau_i): coefficient of s_0 in x_i (the x_0 coefficient is 1 + tau_i). */
  cs: Float64Array;
  /** e^{-gamma tau_i}: coefficient of v_0 in v_i. */
  decay: Float64Array;
  /** Correction coefficients for i = 1..K-1 (0 elsewhere): dx += gF dF + gxs ds, dv += gvs ds. */
  gF: Float64Array;
  gxs: Float64Array;
  gvs: Float64Array;
}

/** Block coefficients on fine times `times` (length K + 1, decreasing) with friction `gamma` and Bernoulli weight `w`. */
export function pmmUldBlock(times: ArrayLike<number>, gamma: number, w: number): PmmUldBlock {
  const K = times.length - 1;
  const T = Float64Array.from(times);
  const tau = Float64Array.from(T, (t) => T[0]! - t);
  const phi = Float64Array.from(tau, (a) => ulmcPhi(gamma, a));
  const cs = Float64Array.from(tau, (a) => a + lMinusPhi(gamma, a) / gamma);
  const decay = Float64Array.from(tau, (a) => Math.exp(-gamma * a));
  const gF = new Float64Array(K + 1), gxs = new Float64Array(K + 1), gvs = new Float64Array(K + 1);
  for (let i = 1; i < K; i++) {
    const l = T[i]! - T[i + 1]!, r = T[i + 1]! - T[K]!;
    const pl = ulmcPhi(gamma, l);
    // w A_r G_l: (l dF + psi(l) ds + phi(r) phi(l) ds,  e^{-gamma r} phi(l) ds)
    gF[i] = w * l;
    gxs[i] = w * (lMinusPhi(gamma, l) / gamma + ulmcPhi(gamma, r) * pl);
    gvs[i] = w * Math.exp(-gamma * r) * pl;
  }
  return { K, gamma, times: T, tau, phi, cs, decay, gF, gxs, gvs };
}

/** The shared path's value (Nx, Nv) at one fine index. */
export interface UldNoise {
  x: Float64Array;
  v: Float64Array;
}

/**
 * Advances the path value N over a segment of length l in place: N <- A_l N + (xi_x, xi_v), where
 * (xi_x, xi_v) = (nx1 z1 + nx2 z2, nv1 z1 + nv2 z2) is the segment's own integral (3.3's pair).
 */
export function uldPathAdvance(gamma: number, l: number, N: UldNoise, z1: ArrayLike<number>, z2: ArrayLike<number>): void {
  if (l <= 0) return;
  const k = eiUlmcStep(gamma, l);
  for (let e = 0; e < N.x.length; e++) {
    const v = N.v[e]!;
    N.x[e] = N.x[e]! + k.phi * v + k.nx1 * z1[e]! + k.nx2 * z2[e]!;
    N.v[e] = k.decay * v + k.nv1 * z1[e]! + k.nv2 * z2[e]!;
  }
}

/** x+_i - x_0 of a midpoint: tau_i F_0 + phi_i v_0 + psi_i s_0 + Nx_i, with F_0 = x_0 + s_0. */
export function uldMidpointShift(blk: PmmUldBlock, i: number, x0: Float64Array, v0: Float64Array, s0: Float64Array, Nx: Float64Array, out: Float64Array): Float64Array {
  for (let e = 0; e < x0.length; e++) out[e] = blk.tau[i]! * x0[e]! + blk.phi[i]! * v0[e]! + blk.cs[i]! * s0[e]! + Nx[e]!;
  return out;
}

/**
 * One coarse block in float64 with the indicator pattern `active` (sorted, in 1..K-1) and the path
 * values N at those indices and at K. `score(x, t)` returns s_t(x). Returns (x_K, v_K).
 */
export function pmmUldCoarseStep(
  blk: PmmUldBlock, x0: Float64Array, v0: Float64Array, score: (x: Float64Array, t: number) => Float64Array,
  active: readonly number[], path: (i: number) => UldNoise,
): UldNoise {
  const d = x0.length, K = blk.K;
  const s0 = score(x0, blk.times[0]!);
  const x = new Float64Array(d), v = new Float64Array(d), sh = new Float64Array(d), xp = new Float64Array(d);
  for (let e = 0; e < d; e++) {
    x[e] = x0[e]! + blk.tau[K]! * x0[e]! + blk.phi[K]! * v0[e]! + blk.cs[K]! * s0[e]!;
    v[e] = blk.decay[K]! * v0[e]! + blk.phi[K]! * s0[e]!;
  }
  for (const i of active) {
    uldMidpointShift(blk, i, x0, v0, s0, path(i).x, sh);
    for (let e = 0; e < d; e++) xp[e] = x0[e]! + sh[e]!;
    const s = score(xp, blk.times[i]!);
    for (let e = 0; e < d; e++) {
      const ds = s[e]! - s0[e]!;
      x[e] = x[e]! + blk.gF[i]! * (sh[e]! + ds) + blk.gxs[i]! * ds;
      v[e] = v[e]! + blk.gvs[i]! * ds;
    }
  }
  const N = path(K);
  for (let e = 0; e < d; e++) {
    x[e] = x[e]! + N.x[e]!;
    v[e] = v[e]! + N.v[e]!;
  }
  return { x, v };
}

/**
 * The K fine steps of the base chain, written step by step from A_l, G_l (no block composition),
 * with the fine noise taken from the same path (N_{j+1} - A_{l_j} N_j; `path(i)` at every 1..K).
 * Where the drift b = (x + s, s) of step j is evaluated: `iterates` at the chain's own iterate (the
 * true fine chain); `midpoints` at the frozen-drift prediction x+_j (what one coarse step estimates
 * without bias, 10.1 item 5); `frozen` at x_0 for every step (b_0 throughout).
 */
export function pmmUldFineSteps(
  blk: PmmUldBlock, x0: Float64Array, v0: Float64Array, score: (x: Float64Array, t: number) => Float64Array,
  path: (i: number) => UldNoise, at: 'iterates' | 'midpoints' | 'frozen',
): UldNoise {
  const d = x0.length, g = blk.gamma;
  const s0 = score(x0, blk.times[0]!);
  let x = Float64Array.from(x0), v = Float64Array.from(v0);
  const zero = { x: new Float64Array(d), v: new Float64Array(d) };
  const sh = new Float64Array(d);
  for (let j = 0; j < blk.K; j++) {
    const l = blk.times[j]! - blk.times[j + 1]!;
    const phi = ulmcPhi(g, l), psi = lMinusPhi(g, l) / g, dec = Math.exp(-g * l);
    let y: Float64Array = x;
    if (j === 0 || at === 'frozen') y = x0;
    else if (at === 'midpoints') y = Float64Array.from(x0, (x0e, e) => x0e + uldMidpointShift(blk, j, x0, v0, s0, path(j).x, sh)[e]!);
    const s = j === 0 || at === 'frozen' ? s0 : score(y, blk.times[j]!);
    const Nj = j === 0 ? zero : path(j), Nn = path(j + 1);
    const nx = new Float64Array(d), nv = new Float64Array(d);
    for (let e = 0; e < d; e++) {
      const F = y[e]! + s[e]!;
      // the step's noise: N_{j+1} - A_l N_j
      const ex = Nn.x[e]! - (Nj.x[e]! + phi * Nj.v[e]!), ev = Nn.v[e]! - dec * Nj.v[e]!;
      nx[e] = x[e]! + phi * v[e]! + l * F + psi * s[e]! + ex;
      nv[e] = dec * v[e]! + phi * s[e]! + ev;
    }
    x = nx;
    v = nv;
  }
  return { x, v };
}

/**
 * The per-coordinate covariance of the path values N(a) and N(b), a <= b, by
 * Gauss-Legendre quadrature of int_0^a e^{M(a-r)} diag(0, 2 gamma) e^{M(b-r)}^T dr (for tests):
 * returns [[Cov(Nx_a, Nx_b), Cov(Nx_a, Nv_b)], [Cov(Nv_a, Nx_b), Cov(Nv_a, Nv_b)]].
 */
export function uldPathCovariance(gamma: number, a: number, b: number, nodes: ArrayLike<number>, weights: ArrayLike<number>): number[][] {
  const c = [[0, 0], [0, 0]];
  for (let q = 0; q < nodes.length; q++) {
    const r = a * nodes[q]!, wq = a * weights[q]! * 2 * gamma;
    const ua = [ulmcPhi(gamma, a - r), Math.exp(-gamma * (a - r))];
    const ub = [ulmcPhi(gamma, b - r), Math.exp(-gamma * (b - r))];
    for (let m = 0; m < 2; m++) for (let n = 0; n < 2; n++) c[m]![n] = c[m]![n]! + wq * ua[m]! * ub[n]!;
  }
  return c;
}
