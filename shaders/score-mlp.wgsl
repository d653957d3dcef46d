// MLP score network (src/scores/mlp-score.ts): eps_theta(x, t) of a fully connected network on
// [x, sin(f_k log t), cos(f_k log t)], hidden activation silu / relu / tanh, linear last layer;
//   s_t(x) = -eps / sigma_t,   x0hat = (x - sigma_t eps) / m_t.
// Weights in one storage buffer: the K frequencies, then per layer W (out x in, row-major) and b.
// LAYERS[l] = (in, out, offset of W, offset of b). Defines: NFREQ, NLAYERS, MAXW, LAYER_TABLE,
// ACT_SILU, ACT_RELU (neither: tanh).

#include "model-common"

@group(1) @binding(0) var<storage, read> mlp: array<f32>;

const NFREQ: u32 = ${NFREQ}u;
const NLAYERS: u32 = ${NLAYERS}u;
const MAXW: u32 = ${MAXW}u;
const LAYERS = array<vec4<u32>, NLAYERS>(${LAYER_TABLE});

fn model_prepare(local_index: u32) {}

fn mlp_act(v: f32) -> f32 {
#if ${ACT_SILU}
  return v / (1.0 + exp(-v));
#elif ${ACT_RELU}
  return max(v, 0.0);
#else
  return tanh(v);
#endif
}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  var h: array<f32, MAXW>;
  var g: array<f32, MAXW>;
  for (var j = 0u; j < DIM; j++) {
    h[j] = (*x)[j / 4u][j % 4u];
  }
  let tau = log(tp.t);
  for (var k = 0u; k < NFREQ; k++) {
    let a = mlp[k] * tau;
    h[DIM + k] = sin(a);
    h[DIM + NFREQ + k] = cos(a);
  }
  for (var l = 0u; l < NLAYERS; l++) { // unroll
    let L = LAYERS[l];
    for (var o = 0u; o < L.y; o++) {
      var acc = mlp[L.w + o];
      let row = L.z + o * L.x;
      for (var i = 0u; i < L.x; i++) {
        acc += mlp[row + i] * h[i];
      }
      g[o] = select(mlp_act(acc), acc, l + 1u == NLAYERS);
    }
    for (var o = 0u; o < L.y; o++) {
      h[o] = g[o];
    }
  }
  let sig = sqrt(tp.sig2);
  let inv_m = 1.0 / tp.m;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var eps = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { eps[e] = h[min(4u * b + e, MAXW - 1u)]; }
    }
#if ${WANT_SCORE}
    (*s_out)[b] = -eps / sig;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = ((*x)[b] - sig * eps) * inv_m;
#endif
  }
}
