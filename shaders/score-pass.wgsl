// One score evaluation of every particle at the step's time (st.c1), written to `score_out`:
// the thread-per-particle layout through the score model's own `model_eval` (any model). The
// benchmarks time it against the tiled mixture kernel (score-gmm-tiled.wgsl).
#include "sampler-common"

@group(0) @binding(3) var<storage, read_write> score_out: array<f32>;

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
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { score_out[base + 4u * b + e] = s[b][e]; }
    }
  }
}
