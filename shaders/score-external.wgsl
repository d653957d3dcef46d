// A score computed outside the sampler kernels before each dispatch, at the stored state and the
// row's time: used by the mixture score pass (src/scores/gmm-pass-score.ts; app-supplied external
// scores go through the staged replay of score-staged.wgsl instead). The pass writes s_t(x_i) for
// every particle i into ext_scores (P x DIM, row-major); model_eval reads it back for the
// invocation's particle. EXT_SCORE / EXT_X0 / neither say what the app writes: the score s, the
// denoiser x0hat, or the noise eps; the rest follows by Tweedie's formula, x0hat = (x + sigma^2 s) / m, s = -eps / sigma.
// Valid only in kernels that evaluate once per dispatch, at the stored state, with one lane per
// particle (checked on the TypeScript side).

#include "model-common"

@group(1) @binding(0) var<storage, read> ext_scores: array<f32>;

fn model_prepare(local_index: u32) {}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  let base = model_particle * DIM;
  let inv_m = 1.0 / tp.m;
  let sig = sqrt(tp.sig2);
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = ext_scores[base + 4u * b + e]; }
    }
#if ${EXT_SCORE}
    let s = v;
    let x0 = ((*x)[b] + tp.sig2 * v) * inv_m;
#elif ${EXT_X0}
    let x0 = v;
    let s = (tp.m * v - (*x)[b]) / tp.sig2;
#else
    let s = -v / sig;
    let x0 = ((*x)[b] - sig * v) * inv_m;
#endif
#if ${WANT_SCORE}
    (*s_out)[b] = s;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = x0;
#endif
  }
}
