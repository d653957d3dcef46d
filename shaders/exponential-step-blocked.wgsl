// The linear step of exponential-step.wgsl,
//   x' = a x + b F(x, t) + b_prev F_prev + c z,
// laid out for large d: one invocation per (particle, vec4 block), LANES = DIM4 invocations per
// particle, so neighbouring invocations touch neighbouring 16-byte blocks (coalesced) and none
// holds more than a vec4 of state. Only for scores that are already in a buffer (the mixture
// score pass: model_eval_block of shaders/score-external.wgsl). Block b of the noise is
// philox_normal4(particle, step, stream, b), the very block `normals` draws for it, and the
// arithmetic is the thread-per-particle kernel's, so both layouts give the same bits.
// Defines: FIELD_SCORE, USE_PREV_BUFFER (read F_prev, store F), NOISY.
#include "sampler-common"

#if ${USE_PREV_BUFFER}
@group(0) @binding(3) var<storage, read_write> prev: array<f32>;
#endif

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let g = particle_index(gid);
  let i = g / LANES;
  let b = g - i * LANES;
  if (i >= run.count) { return; }
  let base = i * DIM + 4u * b;
  var x = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { x[e] = xs[base + e]; }
  }
  let m = model_eval_block(i, b, x, time_params(st.c1));
#if ${FIELD_SCORE}
  let f = m.s;
#else
  let f = m.x0;
#endif
  let a = st.c0.x;
  let b_now = st.c0.y;
  let b_prev = st.c0.z;
  let c = st.c0.w;
  var v = a * x + b_now * f;
#if ${USE_PREV_BUFFER}
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) {
      v[e] += b_prev * prev[base + e];
      prev[base + e] = f[e];
    }
  }
#endif
#if ${NOISY}
  var z = philox_normal4(run.key, run.offset + i, st.step, STREAM_STEP_NOISE, b);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e >= DIM) { z[e] = 0.0; }
  }
  v += c * z;
#endif
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { xs[base + e] = v[e]; }
  }
}
