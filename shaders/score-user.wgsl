// Adapter from a user's WGSL score function to the model interface (src/scores/user-score.ts).
// The user's code (included as "user-score") defines
//   fn score(x: Point, tp: TimeParams) -> Point
// with Point = array<f32, DIM> and TimeParams (t, m = e^{-t}, sig2 = 1 - e^{-2t}); it may declare
// its own bindings in @group(1). The denoiser follows from the score by Tweedie's formula,
//   x0hat = (x + sigma^2 s) / m,
// so the score serves the samplers of every form.

#include "model-common"

alias Point = array<f32, DIM>;

#include "user-score"

fn model_prepare(local_index: u32) {}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  // (the min keeps unrolled constant indices in bounds: WGSL rejects p[2] for DIM = 2 even when guarded)
  var p: Point;
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { p[min(4u * b + e, DIM - 1u)] = (*x)[b][e]; }
    }
  }
  let s = score(p, tp);
  let inv_m = 1.0 / tp.m;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = s[min(4u * b + e, DIM - 1u)]; }
    }
#if ${WANT_SCORE}
    (*s_out)[b] = v;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = ((*x)[b] + tp.sig2 * v) * inv_m;
#endif
  }
}
