// Underdamped Langevin corrector at a fixed time t* (ALGORITHMS.md 3.3): CORR_STEPS steps of size
// eta from a fresh velocity v ~ N(0, I), then v is dropped. The whole call runs in one invocation
// per particle (its score evaluations are sequential anyway).
// CORR_RM = false: exponential-integrator ULMC (the corrector of Chen et al. 2023):
//   g = s(x);  x' = x + phi v + ((eta - phi)/gamma) g + xi_x;  v' = e^{-gamma eta} v + phi g + xi_v.
// CORR_RM = true: randomized-midpoint ULMC (Shen and Lee 2019), a = alpha eta, alpha ~ U[0,1] per particle:
//   x_mid = x + phi(a) v + ((a - phi(a))/gamma) g0 + W1;  g_mid = s(x_mid);
//   x' = x + phi(eta) v + eta (1 - e^{-gamma (1-alpha) eta})/gamma g_mid + W2;
//   v' = e^{-gamma eta} v + eta e^{-gamma (1-alpha) eta} g_mid + W3,
// with (W1, W2, W3) integrals of one Brownian path, built from two independent pairs (J0, J1) on
// [0, a] and (K0, K1) on [a, eta].
// Row: c0 = (gamma, eta, e^{-gamma eta}, phi(eta)), c1 = TimeParams(t*),
//      c2 = ((eta - phi)/gamma, nx1, nx2, nv1), c3 = (nv2, sqrt(2 gamma), 0, 0).
#include "sampler-common"
#include "ulmc-common"

const CORR_STEPS: u32 = ${CORR_STEPS}u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  let particle = run.offset + i;
  let gamma = st.c0.x;
  let eta = st.c0.y;
  let decay = st.c0.z;
  let phi = st.c0.w;
  let tp = time_params(st.c1);
  var x: Vec;
  load_state(i, &x);
  var v: Vec;
  normals(particle, st.step, STREAM_STEP_NOISE, &v);
  var g: Vec;
  var unused: Vec;
  var z1: Vec;
  var z2: Vec;
#if ${CORR_RM}
  // One model_eval call site (two inlined full-covariance scores made shader compilation on
  // SwiftShader take minutes): the loop alternates between the start point (even k) and the
  // midpoint (odd k) of each step.
  var p: Vec = x;
  var w2: Vec;
  var w3: Vec;
  var cx = 0.0;
  var cv = 0.0;
  let sg = st.c3.y;
  for (var k = 0u; k < 2u * CORR_STEPS; k++) {
    model_eval(&p, tp, &g, &unused);
    let j = k / 2u;
    if ((k & 1u) == 0u) {
      let alpha = philox_uniform4(run.key, particle, st.step, STREAM_SCALAR, j / 4u)[j % 4u];
      let a = alpha * eta;
      var z3: Vec;
      var z4: Vec;
      normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j, &z1);
      normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j + 1u, &z2);
      normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j + 2u, &z3);
      normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j + 3u, &z4);
      // pair on [0, a]: J1 = pj1 z1 + rj z2, J0 - J1 = pjd z1 - rj z2 (zero when a = 0)
      let sa = sqrt(a);
      let rj = sqrt(ulmc_pair_residual(gamma, a));
      let pj1 = select(0.0, ulmc_phi(gamma, a) / sa, a > 0.0);
      let pjd = select(0.0, ulmc_l_minus_phi(gamma, a) / sa, a > 0.0);
      let l2 = eta - a;
      let sk = sqrt(l2);
      let rk = sqrt(ulmc_pair_residual(gamma, l2));
      let pk1 = select(0.0, ulmc_phi(gamma, l2) / sk, l2 > 0.0);
      let pkd = select(0.0, ulmc_l_minus_phi(gamma, l2) / sk, l2 > 0.0);
      let e_rest = exp(-gamma * l2);
      let one_minus_e_rest = -expm1f(-gamma * l2);
      let phi_a = ulmc_phi(gamma, a);
      let grad_mid = ulmc_l_minus_phi(gamma, a) / gamma;
      for (var b = 0u; b < DIM4; b++) {
        let j1 = pj1 * z1[b] + rj * z2[b];
        let jd = pjd * z1[b] - rj * z2[b];
        let k1 = pk1 * z3[b] + rk * z4[b];
        let kd = pkd * z3[b] - rk * z4[b];
        let w1 = (sg / gamma) * jd;
        w2[b] = (sg / gamma) * (jd + one_minus_e_rest * j1 + kd);
        w3[b] = sg * (e_rest * j1 + k1);
        p[b] = x[b] + phi_a * v[b] + grad_mid * g[b] + w1;
      }
      cx = eta * one_minus_e_rest / gamma;
      cv = eta * e_rest;
    } else {
      for (var b = 0u; b < DIM4; b++) {
        x[b] = x[b] + phi * v[b] + cx * g[b] + w2[b];
        v[b] = decay * v[b] + cv * g[b] + w3[b];
      }
      p = x;
    }
  }
#else
  for (var j = 0u; j < CORR_STEPS; j++) {
    model_eval(&x, tp, &g, &unused);
    normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j, &z1);
    normals_rolled(particle, st.step, STREAM_CORRECTOR + 4u * j + 1u, &z2);
    for (var b = 0u; b < DIM4; b++) {
      let xi_x = st.c2.y * z1[b] + st.c2.z * z2[b];
      let xi_v = st.c2.w * z1[b] + st.c3.x * z2[b];
      x[b] = x[b] + phi * v[b] + st.c2.x * g[b] + xi_x;
      v[b] = decay * v[b] + phi * g[b] + xi_v;
    }
  }
#endif
  store_state(i, &x);
}
