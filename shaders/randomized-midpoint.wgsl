// Randomized-midpoint predictor step t -> s (Gupta, Cai, Chen 2024; ALGORITHMS.md 3.2 and 3.7).
// One uniform per particle and step (Philox stream SCALAR, element 0), shared by all coordinates.
// FORM 0 "score" (the paper's step, 3.2): alpha ~ U[0,1], h = t - s,
//   x_mid = e^{alpha h} x + expm1(alpha h) s_t(x),   x_s = e^h x + h e^{(1-alpha) h} s_{t - alpha h}(x_mid).
// FORM 1 "eps" (3.7, uniform in the EDM noise level rho), x~ = x / m:
//   rho_mid = rho_t + alpha (rho_s - rho_t),  x~_mid = x~ + alpha (rho_s - rho_t) eps(x),
//   x~_s = x~ + (rho_s - rho_t) eps(x_mid),  eps = (x~ - x0hat) / rho.
// FORM 2 "x0" (3.7, default): E = e^lambda = m / sigma drawn uniform, E_mid = E_t + U (E_s - E_t),
//   x_mid = (sigma_mid / sigma_t) x + m_mid U (E_s - E_t) / E_mid x0hat(x, t)          (DDIM to t_mid)
//   x_s   = (sigma_s / sigma_t) x - m_s expm1(-h_lambda) x0hat(x_mid, t_mid).
// Defines FORM_SCORE / FORM_EPS select the form (x0 otherwise).
// Row flag bit 0: a single-evaluation step (alpha = 1: the midpoint prediction taken to s).
#include "sampler-common"


// Time parameters of a point given by E = e^lambda: m = E / sqrt(1 + E^2), sigma^2 = 1 / (1 + E^2).
fn time_from_snr_root(e: f32) -> TimeParams {
  let q = 1.0 / (1.0 + e * e);
  let y = 1.0 / (e * e);
  let t = select(0.5 * log(1.0 + y), 0.5 * y * (1.0 - y * (0.5 - y / 3.0)), y < 1e-2);  // 1/2 log1p(1/E^2)
  return TimeParams(t, e * sqrt(q), q);
}

// Time parameters of an EDM noise level rho: m = 1 / sqrt(1 + rho^2), sigma^2 = rho^2 / (1 + rho^2).
fn time_from_rho(rho: f32) -> TimeParams {
  let r2 = rho * rho;
  let t = select(0.5 * log(1.0 + r2), 0.5 * r2 * (1.0 - r2 * (0.5 - r2 / 3.0)), r2 < 1e-2);
  return TimeParams(t, inverseSqrt(1.0 + r2), r2 / (1.0 + r2));
}

// Time parameters of OU time t in f32 (expm1 by series near 0).
fn time_from_t(t: f32) -> TimeParams {
  let x = -2.0 * t;
  let em1 = select(exp(x) - 1.0, x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x / 24.0))), abs(x) < 1e-2);
  return TimeParams(t, exp(-t), -em1);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  let particle = run.offset + i;
  let single = (st.flags & 1u) != 0u;
  let u = select(philox_uniform4(run.key, particle, st.step, STREAM_SCALAR, 0u).x, 1.0, single);
  var x: Vec;
  load_state(i, &x);
  var s0: Vec;
  var d0: Vec;
  model_eval(&x, time_params(st.c1), &s0, &d0);
  var xm: Vec;
  var s1: Vec;
  var d1: Vec;
#if ${FORM_SCORE}
  {
    let h = st.c0.x;
    let ah = u * h;
    let e_ah = exp(ah);
    let em1_ah = select(e_ah - 1.0, ah * (1.0 + ah * (0.5 + ah * (1.0 / 6.0 + ah / 24.0))), ah < 1e-2);
    for (var b = 0u; b < DIM4; b++) { xm[b] = e_ah * x[b] + em1_ah * s0[b]; }
    if (single) {
      for (var b = 0u; b < DIM4; b++) { x[b] = xm[b]; }
    } else {
      model_eval(&xm, time_from_t(st.c1.x - ah), &s1, &d1);
      let w = h * exp((1.0 - u) * h);
      for (var b = 0u; b < DIM4; b++) { x[b] = st.c0.y * x[b] + w * s1[b]; }
    }
  }
#elif ${FORM_EPS}
  {
    let rho_t = st.c0.x;
    let drho = st.c0.y - rho_t;
    let inv_m_t = st.c0.z;
    let m_s = st.c0.w;
    let rho_m = rho_t + u * drho;
    let tm = time_from_rho(rho_m);
    var xt: Vec;
    for (var b = 0u; b < DIM4; b++) {
      xt[b] = x[b] * inv_m_t;
      let eps = (xt[b] - d0[b]) / rho_t;
      xm[b] = tm.m * (xt[b] + u * drho * eps);
    }
    if (single) {
      for (var b = 0u; b < DIM4; b++) { x[b] = xm[b]; }
    } else {
      model_eval(&xm, tm, &s1, &d1);
      for (var b = 0u; b < DIM4; b++) {
        let eps_m = (xm[b] / tm.m - d1[b]) / rho_m;
        x[b] = m_s * (xt[b] + drho * eps_m);
      }
    }
  }
#else
  {
    let e_t = st.c0.x;
    let de = st.c0.y;
    let inv_sig_t = st.c0.z;
    let e_m = e_t + u * de;
    let tm = time_from_snr_root(e_m);
    let a_mid = sqrt(tm.sig2) * inv_sig_t;
    let b_mid = tm.m * u * de / e_m;
    for (var b = 0u; b < DIM4; b++) { xm[b] = a_mid * x[b] + b_mid * d0[b]; }
    if (single) {
      for (var b = 0u; b < DIM4; b++) { x[b] = xm[b]; }
    } else {
      model_eval(&xm, tm, &s1, &d1);
      for (var b = 0u; b < DIM4; b++) { x[b] = st.c2.x * x[b] + st.c2.y * d1[b]; }
    }
  }
#endif
  store_state(i, &x);
}
