// Exact empirical score of a dataset under the OU process (src/scores/dataset-score.ts):
//   q_t = (1/N) sum_i N(m x_i, sigma^2 I),  r = softmax_i(-|x - m x_i|^2 / (2 sigma^2)),
//   x0hat = sum_i r_i x_i,   s_t(x) = (m x0hat - x) / sigma^2.
// One pass over the data with a running-max log-sum-exp (the running sum and the weighted sum of
// points are rescaled when the max grows), so nothing of length N is kept.
// Layout: point i at data[i * DIM4 ..], zero-padded to DIM4 vec4s. Defines: NPOINTS.
//
// Every invocation of a workgroup walks the points in the same order, so on a GPU the loads of a
// point are one broadcast per workgroup (served by the cache); staging tiles in workgroup memory
// would need workgroup barriers, which WGSL allows only in uniform control flow, and the sampler
// kernels call model_eval after their per-particle bounds check. See README "Dataset scores".

#include "model-common"

@group(1) @binding(0) var<storage, read> data: array<vec4<f32>>;

const NPOINTS: u32 = ${NPOINTS}u;

fn model_prepare(local_index: u32) {}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  let m = tp.m;
  let inv2s = 0.5 / tp.sig2;
  var acc: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    acc[b] = vec4<f32>(0.0); }
  var run_max = -3.0e38;
  var run_sum = 0.0;
  for (var i = 0u; i < NPOINTS; i++) {
    let base = i * DIM4;
    var dist = 0.0;
    for (var b = 0u; b < DIM4; b++) { // unroll
      let v = (*x)[b] - m * data[base + b];
      dist += dot(v, v);
    }
    let ell = -dist * inv2s;
    let grow = ell > run_max;
    let decay = exp(-abs(ell - run_max));
    let rescale = select(1.0, decay, grow);
    let w = select(decay, 1.0, grow);
    // points whose weight underflows change nothing (most of them at small t)
    if (grow || w > 1.0e-12) {
      run_sum = run_sum * rescale + w;
      run_max = max(run_max, ell);
      for (var b = 0u; b < DIM4; b++) { // unroll
        acc[b] = acc[b] * rescale + w * data[base + b]; }
    }
  }
  let inv = 1.0 / run_sum;
  let inv_s = 1.0 / tp.sig2;
  for (var b = 0u; b < DIM4; b++) { // unroll
    let x0 = acc[b] * inv;
#if ${WANT_X0}
    (*x0_out)[b] = x0;
#endif
#if ${WANT_SCORE}
    (*s_out)[b] = (m * x0 - (*x)[b]) * inv_s;
#endif
  }
}
