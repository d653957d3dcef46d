// Accelerated stochastic sampler stand-in (src/samplers/accelerated-sde.ts): DPM-Solver++(2M)-SDE
// (ALGORITHMS.md B8) with the correction clipped against its running RMS (ours):
//   D = x0hat - prev,  q = min(1, kappa sqrt(ms) / rms(D))  (q = 1 when kappa = 0 or no history),
//   x' = a x + b x0hat + b2 q D + c z,  ms <- beta ms + (1 - beta) q^2 ms(D)  (ms(D) at the first correction).
// st.c0 = (a, b, b2, c), st.c1 = time, st.c2 = (kappa, beta); flags bit 0: a previous x0hat exists.
#include "sampler-common"

@group(0) @binding(3) var<storage, read_write> prev: array<f32>;
@group(0) @binding(4) var<storage, read_write> clipms: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  var x: Vec;
  load_state(i, &x);
  var unused: Vec;
  var f: Vec;
  model_eval(&x, time_params(st.c1), &unused, &f);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let base = i * DIM;
  var dv: Vec;
  var msd = 0.0;
  let has_prev = (st.flags & 1u) != 0u;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var p = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) {
        p[e] = prev[base + 4u * b + e];
        prev[base + 4u * b + e] = f[b][e];
      }
    }
    dv[b] = f[b] - p;
    msd += dot(dv[b], dv[b]);
  }
  msd = msd / f32(DIM);
  var k = 0.0;
  if (has_prev) {
    let kappa = st.c2.x;
    let beta = st.c2.y;
    let ms = clipms[i];
    var q = 1.0;
    let lim = kappa * kappa * ms;
    if (kappa > 0.0 && ms > 0.0 && msd > lim) { q = sqrt(lim / msd); }
    k = st.c0.z * q;
    clipms[i] = select(msd, beta * ms + (1.0 - beta) * q * q * msd, ms > 0.0);
  }
#if ${NOISY}
  var z: Vec;
  normals(run.offset + i, st.step, STREAM_STEP_NOISE, &z);
#endif
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = st.c0.x * x[b] + st.c0.y * f[b] + k * dv[b];
#if ${NOISY}
    v += st.c0.w * z[b];
#endif
    x[b] = v;
  }
  store_state(i, &x);
}
