// The one-evaluation linear step shared by Euler-Maruyama, DDPM, DDIM and DPM-Solver++(2M):
//   x' = a x + b F(x, t) + b_prev F_prev + c z,    F = score (FIELD_SCORE) or x0hat,
// where F_prev is the previous step's F (kept in `prev`, for multistep methods) and z is the
// step's Philox noise. Each sampler's TypeScript file derives (a, b, b_prev, c) from its paper's
// update; they are computed in float64 and arrive in st.c0 = (a, b, b_prev, c), st.c1 = time.
// Defines: FIELD_SCORE, USE_PREV_BUFFER (read F_prev, store F), NOISY.
#include "sampler-common"

#if ${USE_PREV_BUFFER}
@group(0) @binding(3) var<storage, read_write> prev: array<f32>;
#endif

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  var x: Vec;
  load_state(i, &x);
  var s: Vec;
  var x0: Vec;
  model_eval(&x, time_params(st.c1), &s, &x0);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
#if ${FIELD_SCORE}
  let f = &s;
#else
  let f = &x0;
#endif
  let a = st.c0.x;
  let b_now = st.c0.y;
  let b_prev = st.c0.z;
  let c = st.c0.w;
#if ${NOISY}
  var z: Vec;
  normals(run.offset + i, st.step, STREAM_STEP_NOISE, &z);
#endif
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = a * x[b] + b_now * (*f)[b];
#if ${USE_PREV_BUFFER}
    for (var e = 0u; e < 4u; e++) { // unroll
      let j = 4u * b + e;
      if (j < DIM) {
        v[e] += b_prev * prev[base + j];
        prev[base + j] = (*f)[b][e];
      }
    }
#endif
#if ${NOISY}
    v += c * z[b];
#endif
    x[b] = v;
  }
  store_state(i, &x);
}
