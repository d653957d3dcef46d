// Exact score and denoiser of a Gaussian mixture under the OU process (ALGORITHMS.md 7.1):
//   q_t = sum_k w_k N(m mu_k, C_k),  C_k = m^2 Sigma_k + sigma^2 I = U_k diag(m^2 lam + sigma^2) U_k^T,
//   s_t(x)   = -sum_k r_k C_k^{-1} (x - m mu_k),
//   x0hat(x) =  sum_k r_k [mu_k + m Sigma_k C_k^{-1} (x - m mu_k)],
// with responsibilities r_k from a running-max (online) log-sum-exp over components, so no
// per-component array is kept. Defines: DIM, NCOMP, FULL_COV (U_k stored), WANT_SCORE, WANT_X0.
// Component k occupies GMM_STRIDE floats of `gmm`: [log w_k, mu_k (DIM), lam_k (DIM), U_k (DIM x DIM, row-major) if FULL_COV].

#include "model-common"

@group(1) @binding(0) var<storage, read> gmm: array<f32>;

const NCOMP: u32 = ${NCOMP}u;
#if ${FULL_COV}
const GMM_STRIDE: u32 = 1u + 2u * DIM + DIM * DIM;
#else
const GMM_STRIDE: u32 = 1u + 2u * DIM;
#endif

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  let m = tp.m;
  let m2 = m * m;
  var run_max = -3.0e38;
  var run_sum = 0.0;
  var y: Vec;  // eigen-coordinates of x - m mu_k, then C_k^{-1}-scaled
  for (var j = 0u; j < DIM; j++) {
#if ${WANT_SCORE}
    (*s_out)[j] = 0.0;
#endif
#if ${WANT_X0}
    (*x0_out)[j] = 0.0;
#endif
  }
  for (var k = 0u; k < NCOMP; k++) {
    let base = k * GMM_STRIDE;
    let mu0 = base + 1u;
    let lam0 = base + 1u + DIM;
#if ${FULL_COV}
    let u0 = base + 1u + 2u * DIM;
    var diff: Vec;
    for (var i = 0u; i < DIM; i++) { diff[i] = (*x)[i] - m * gmm[mu0 + i]; }
    for (var j = 0u; j < DIM; j++) {
      var acc = 0.0;
      for (var i = 0u; i < DIM; i++) { acc = fma(gmm[u0 + i * DIM + j], diff[i], acc); }
      y[j] = acc;  // y = U^T (x - m mu)
    }
#else
    for (var j = 0u; j < DIM; j++) { y[j] = (*x)[j] - m * gmm[mu0 + j]; }
#endif
    var quad = 0.0;
    var logdet = 0.0;
    for (var j = 0u; j < DIM; j++) {
      let c = fma(m2, gmm[lam0 + j], tp.sig2);
      let a = y[j] / c;
      quad = fma(y[j], a, quad);
      logdet += log(c);
      y[j] = a;  // a = diag(1/c) U^T (x - m mu)
    }
    let ell = gmm[base] - 0.5 * (logdet + quad);
    let new_max = max(run_max, ell);
    let rescale = exp(run_max - new_max);
    let w = exp(ell - new_max);
    run_sum = fma(run_sum, rescale, w);
    run_max = new_max;
    for (var i = 0u; i < DIM; i++) {
#if ${FULL_COV}
      var g = 0.0;  // (U a)_i = (C^{-1}(x - m mu))_i
      var h = 0.0;  // (U diag(lam) a)_i = (Sigma C^{-1}(x - m mu))_i
      for (var j = 0u; j < DIM; j++) {
        let u = gmm[u0 + i * DIM + j];
        g = fma(u, y[j], g);
        h = fma(u, gmm[lam0 + j] * y[j], h);
      }
#else
      let g = y[i];
      let h = gmm[lam0 + i] * y[i];
#endif
#if ${WANT_SCORE}
      (*s_out)[i] = fma((*s_out)[i], rescale, w * g);
#endif
#if ${WANT_X0}
      (*x0_out)[i] = fma((*x0_out)[i], rescale, w * fma(m, h, gmm[mu0 + i]));
#endif
    }
  }
  let inv = 1.0 / run_sum;
  for (var i = 0u; i < DIM; i++) {
#if ${WANT_SCORE}
    (*s_out)[i] = -(*s_out)[i] * inv;
#endif
#if ${WANT_X0}
    (*x0_out)[i] = (*x0_out)[i] * inv;
#endif
  }
}
