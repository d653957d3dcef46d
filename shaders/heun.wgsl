// Heun's method in EDM variables (Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6):
//   x~ = x / m_t,  d_i = (x~ - D(x~; rho_i)) / rho_i,  x~' = x~ + (rho_{i+1} - rho_i) d_i,
//   d' = (x~' - D(x~'; rho_{i+1})) / rho_{i+1},  x~_{i+1} = x~ + (rho_{i+1} - rho_i)(d_i + d') / 2,
// with D = x0hat. st.c0 = (1/m_t, m_s, rho_t, rho_s); st.c1 / st.c2 = times t / s;
// flags bit 0: take only the Euler step (an odd nfe budget's first step).
#include "sampler-common"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  var x: Vec;
  load_state(i, &x);
  let inv_m_t = st.c0.x;
  let m_s = st.c0.y;
  let rho_t = st.c0.z;
  let rho_s = st.c0.w;
  let dr = rho_s - rho_t;
  var unused: Vec;
  var d0: Vec;
  model_eval(&x, time_params(st.c1), &unused, &d0);
  var xt: Vec;   // EDM state at t
  var xe: Vec;   // Euler prediction x~'
  for (var b = 0u; b < DIM4; b++) { // unroll
    xt[b] = x[b] * inv_m_t;
    d0[b] = (xt[b] - d0[b]) / rho_t;         // d_i
    xe[b] = xt[b] + dr * d0[b];              // x~'
  }
  if ((st.flags & 1u) == 0u) {
    var xin: Vec;
    for (var b = 0u; b < DIM4; b++) { // unroll
      xin[b] = m_s * xe[b]; }
    var d1: Vec;
    model_eval(&xin, time_params(st.c2), &unused, &d1);
    for (var b = 0u; b < DIM4; b++) { // unroll
      let dp = (xe[b] - d1[b]) / rho_s;      // d'
      xe[b] = xt[b] + 0.5 * dr * (d0[b] + dp);
    }
  }
  for (var b = 0u; b < DIM4; b++) { // unroll
      x[b] = m_s * xe[b]; }
  store_state(i, &x);
}
