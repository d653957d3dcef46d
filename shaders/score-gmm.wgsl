// Exact score and denoiser of a Gaussian mixture under the OU process (ALGORITHMS.md 7.1):
//   q_t = sum_k w_k N(m mu_k, C_k),  C_k = m^2 Sigma_k + sigma^2 I = U_k diag(m^2 lam + sigma^2) U_k^T,
//   s_t(x)   = -sum_k r_k C_k^{-1} (x - m mu_k),
//   x0hat(x) =  sum_k r_k [mu_k + m Sigma_k C_k^{-1} (x - m mu_k)],
// with responsibilities r_k from a running-max (online) log-sum-exp over components, so no
// per-component array is kept. Defines: DIM, NCOMP, FULL_COV (U_k stored), WANT_SCORE, WANT_X0.
//
// Layout (src/scores/gmm-score.ts packMixture), in vec4s, component k at k * GMM_STRIDE4:
//   [ (log w_k, 0, 0, 0), mu_k (DIM4), lam_k (DIM4), U_k^T rows (DIM x DIM4) and U_k rows (DIM x DIM4) if FULL_COV ]
// Vectors are zero-padded to DIM4 vec4s; padded eigenvalues are 0, which adds the same log sigma^2
// to every component's log-density and so cancels in the responsibilities.

#include "model-common"

@group(1) @binding(0) var<storage, read> gmm_global: array<vec4<f32>>;

const NCOMP: u32 = ${NCOMP}u;
#if ${FULL_COV}
const GMM_STRIDE4: u32 = 1u + 2u * DIM4 + 2u * DIM * DIM4;
#else
const GMM_STRIDE4: u32 = 1u + 2u * DIM4;
#endif
const GMM_SIZE4: u32 = NCOMP * GMM_STRIDE4;

// Hook for models that stage data in workgroup memory; the mixture is read from the storage buffer
// directly (a workgroup-memory copy measured slower on SwiftShader).
fn model_prepare(local_index: u32) {}

fn gmm_at(i: u32) -> vec4<f32> {
  return gmm_global[i];
}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  let m = tp.m;
  let m2 = m * m;
  var run_max = -3.0e38;
  var run_sum = 0.0;
  var y: Vec;  // x - m mu_k in eigen-coordinates, then scaled by C_k^{-1}
  for (var b = 0u; b < DIM4; b++) { // unroll
#if ${WANT_SCORE}
    (*s_out)[b] = vec4<f32>(0.0);
#endif
#if ${WANT_X0}
    (*x0_out)[b] = vec4<f32>(0.0);
#endif
  }
  for (var k = 0u; k < NCOMP; k++) {
    let base = k * GMM_STRIDE4;
    let mu0 = base + 1u;
    let lam0 = mu0 + DIM4;
#if ${FULL_COV}
    let ut0 = lam0 + DIM4;          // rows of U^T: ut0 + j * DIM4
    let u0 = ut0 + DIM * DIM4;      // rows of U:   u0 + i * DIM4
    var diff: Vec;
    for (var b = 0u; b < DIM4; b++) { // unroll
      diff[b] = (*x)[b] - m * gmm_at(mu0 + b); }
    for (var b = 0u; b < DIM4; b++) { // unroll
      var yb = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) { // unroll
        let j = 4u * b + e;
        if (j < DIM) {
          var acc = 0.0;
          let row = ut0 + j * DIM4;
          for (var c = 0u; c < DIM4; c++) { // unroll
      acc += dot(gmm_at(row + c), diff[c]); }
          yb[e] = acc;  // y_j = (U^T (x - m mu))_j
        }
      }
      y[b] = yb;
    }
#else
    for (var b = 0u; b < DIM4; b++) { // unroll
      y[b] = (*x)[b] - m * gmm_at(mu0 + b); }
#endif
    var quad = 0.0;
    var logdet = 0.0;
    for (var b = 0u; b < DIM4; b++) { // unroll
      let c = m2 * gmm_at(lam0 + b) + vec4<f32>(tp.sig2);
      let a = y[b] / c;
      quad += dot(y[b], a);
      // one log per 4 lanes (transcendentals dominate on SwiftShader); c is in [sigma^2, lam + 1],
      // so the product of 4 stays far inside the f32 range
      logdet += log(c.x * c.y * c.z * c.w);
      y[b] = a;  // a = diag(1/c) U^T (x - m mu)
    }
    let ell = gmm_at(base).x - 0.5 * (logdet + quad);
    // one exp per component: either the new term or the running sums are rescaled
    let decay = exp(-abs(ell - run_max));
    let grow = ell > run_max;
    let rescale = select(1.0, decay, grow);
    let w = select(decay, 1.0, grow);
    let new_max = max(run_max, ell);
    run_sum = run_sum * rescale + w;
    run_max = new_max;
#if ${FULL_COV}
    var la: Vec;  // diag(lam) a
    for (var b = 0u; b < DIM4; b++) { // unroll
      la[b] = gmm_at(lam0 + b) * y[b]; }
#endif
    for (var b = 0u; b < DIM4; b++) { // unroll
#if ${FULL_COV}
      var g = vec4<f32>(0.0);  // U a             = C^{-1} (x - m mu)
      var h = vec4<f32>(0.0);  // U diag(lam) a   = Sigma C^{-1} (x - m mu)
      for (var e = 0u; e < 4u; e++) { // unroll
        let i = 4u * b + e;
        if (i < DIM) {
          let row = u0 + i * DIM4;
          var gi = 0.0;
          var hi = 0.0;
          for (var c = 0u; c < DIM4; c++) { // unroll
            let u = gmm_at(row + c);
            gi += dot(u, y[c]);
            hi += dot(u, la[c]);
          }
          g[e] = gi;
          h[e] = hi;
        }
      }
#else
      let g = y[b];
      let h = gmm_at(lam0 + b) * y[b];
#endif
#if ${WANT_SCORE}
      (*s_out)[b] = (*s_out)[b] * rescale + w * g;
#endif
#if ${WANT_X0}
      (*x0_out)[b] = (*x0_out)[b] * rescale + w * (gmm_at(mu0 + b) + m * h);
#endif
    }
  }
  let inv = 1.0 / run_sum;
  for (var b = 0u; b < DIM4; b++) { // unroll
#if ${WANT_SCORE}
    (*s_out)[b] = -(*s_out)[b] * inv;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = (*x0_out)[b] * inv;
#endif
  }
}
