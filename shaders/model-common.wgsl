// What every score model sees: the particle state type and the time of an evaluation.
// The state of one particle is DIM floats held as DIM4 = ceil(DIM / 4) vec4s (padding lanes are 0),
// so kernels work in vec4 arithmetic and index private arrays 4x less often.
// A model provides
//   fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>)
// writing the score s_t(x) when WANT_SCORE and the denoiser x0hat(x, t) when WANT_X0; it must keep
// the padding lanes of its outputs at 0.

// The invocation's particle (invocation index for kernels with several lanes per particle), set by
// the sampler kernels' particle_index(); for models that read per-particle results computed
// outside the kernel (src/scores/external-score.ts).
var<private> model_particle: u32;

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
alias Vec = array<vec4<f32>, (${DIM}u + 3u) / 4u>;

// One evaluation time, its coefficients computed in float64 on the CPU:
// m = e^{-t}, sig2 = 1 - e^{-2t}.
struct TimeParams {
  t: f32,
  m: f32,
  sig2: f32,
}
