// A score computed outside the sampler kernels before each dispatch, at the stored state and the
// row's time: used by the mixture score pass (src/scores/gmm-pass-score.ts; app-supplied external
// scores go through the staged replay of score-staged.wgsl instead). The pass writes s_t(x_i) for
// every particle i into ext_scores (P x DIM, row-major); model_eval reads it back for the
// invocation's particle. EXT_SCORE / EXT_X0 / neither say what the app writes: the score s, the
// denoiser x0hat, or the noise eps; the rest follows by Tweedie's formula, x0hat = (x + sigma^2 s) / m, s = -eps / sigma.
// Valid only in kernels that evaluate once per dispatch, at the stored state, with one lane per
// particle, or one per (particle, vec4 block) through model_eval_block (checked on the TypeScript side).

#include "model-common"

@group(1) @binding(0) var<storage, read> ext_scores: array<f32>;

fn model_prepare(local_index: u32) {}

// Block b (coordinates 4b .. 4b+3) of particle i's score and denoiser, x4 being that block of the
// state: what model_eval computes for one block, for update kernels that run one invocation per
// (particle, vec4 block) (shaders/exponential-step-blocked.wgsl). Padding lanes come out 0 (x4's are 0).
struct ModelBlock {
  s: vec4<f32>,
  x0: vec4<f32>,
}

fn model_eval_block(i: u32, b: u32, x4: vec4<f32>, tp: TimeParams) -> ModelBlock {
  let base = i * DIM;
  let inv_m = 1.0 / tp.m;
  let sig = sqrt(tp.sig2);
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { v[e] = ext_scores[base + 4u * b + e]; }
  }
#if ${EXT_SCORE}
  return ModelBlock(v, (x4 + tp.sig2 * v) * inv_m);
#elif ${EXT_X0}
  return ModelBlock((tp.m * v - x4) / tp.sig2, v);
#else
  return ModelBlock(-v / sig, (x4 - sig * v) * inv_m);
#endif
}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    let r = model_eval_block(model_particle, b, (*x)[b], tp);
#if ${WANT_SCORE}
    (*s_out)[b] = r.s;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = r.x0;
#endif
  }
}
