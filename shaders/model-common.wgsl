// What every score model sees: the particle state type and the time of an evaluation.
// A model provides
//   fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>)
// writing the score s_t(x) when WANT_SCORE and the denoiser x0hat(x, t) when WANT_X0.

const DIM: u32 = ${DIM}u;
alias Vec = array<f32, ${DIM}>;

// One evaluation time, its coefficients computed in float64 on the CPU:
// m = e^{-t}, sig2 = 1 - e^{-2t}.
struct TimeParams {
  t: f32,
  m: f32,
  sig2: f32,
}
