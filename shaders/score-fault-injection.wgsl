// A score model for testing fault handling (src/scores/fault-injection.ts): the exact score of the
// standard normal target N(0, I), which is its own OU marginal at every t, so s_t(x) = -x and
// x0hat(x, t) = m x; plus `poison` (a NaN or Inf read from the buffer at run time) added to both
// outputs when t < t_fault and x_0 > threshold.

#include "model-common"

struct FaultParams {
  t_fault: f32,
  threshold: f32,
  poison: f32,
  pad: f32,
}

@group(1) @binding(0) var<storage, read> fault: FaultParams;

fn model_prepare(local_index: u32) {}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  var add = 0.0;
  if (tp.t < fault.t_fault && (*x)[0].x > fault.threshold) { add = fault.poison; }
  for (var b = 0u; b < DIM4; b++) { // unroll
    var p = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { p[e] = add; }
    }
#if ${WANT_SCORE}
    (*s_out)[b] = -(*x)[b] + p;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = tp.m * (*x)[b] + p;
#endif
  }
}
