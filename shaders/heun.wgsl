// Heun's method in EDM variables (Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6):
//   x~ = x / m_t,  d_i = (x~ - D(x~; rho_i)) / rho_i,  x~' = x~ + (rho_{i+1} - rho_i) d_i,
//   d' = (x~' - D(x~'; rho_{i+1})) / rho_{i+1},  x~_{i+1} = x~ + (rho_{i+1} - rho_i)(d_i + d') / 2,
// with D = x0hat. st.c0 = (1/m_t, m_s, rho_t, rho_s); st.c1 / st.c2 = times t / s;
// flags bit 0: take only the Euler step (an odd nfe budget's first step).
#include "sampler-common"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
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
  var xe: Vec;   // Euler prediction, then the model input at s
  for (var j = 0u; j < DIM; j++) {
    xt[j] = x[j] * inv_m_t;
    d0[j] = (xt[j] - d0[j]) / rho_t;          // d_i
    xe[j] = fma(dr, d0[j], xt[j]);           // x~'
  }
  if ((st.flags & 1u) == 0u) {
    var xin: Vec;
    for (var j = 0u; j < DIM; j++) { xin[j] = m_s * xe[j]; }
    var d1: Vec;
    model_eval(&xin, time_params(st.c2), &unused, &d1);
    for (var j = 0u; j < DIM; j++) {
      let dp = (xe[j] - d1[j]) / rho_s;      // d'
      xe[j] = fma(0.5 * dr, d0[j] + dp, xt[j]);
    }
  }
  for (var j = 0u; j < DIM; j++) { x[j] = m_s * xe[j]; }
  store_state(i, &x);
}
