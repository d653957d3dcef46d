// The exact score of an axis-aligned Gaussian mixture at one time t for large d (same math, table
// and bindings as score-gmm-tiled.wgsl): each invocation evaluates PPT particles and streams over
// the coordinates twice, in vec4 blocks, with all NCOMP components unrolled inside each block:
//   pass 1: quad_k += sum_j (x_j - m mu_kj)^2 / c_kj    (PPT x NCOMP accumulators)
//   then    w_k = exp(ell_k - max_k ell_k), ell_k = const_k - quad_k / 2
//   pass 2: s_j = -sum_k w_k (x_j - m mu_kj) / c_kj / sum_k w_k    (written block by block)
// So no state of size d is held across a loop (on SwiftShader, state carried around a loop is what
// costs), every table value loaded serves PPT particles, and there is no workgroup memory or
// barrier. Defines: DIM, NCOMP, WG_SIZE, PPT, TABLE_UNIFORM.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NCOMP: u32 = ${NCOMP}u;
const PPT: u32 = ${PPT}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const STRIDE4: u32 = 1u + 2u * DIM4;
const CB: u32 = 4u;  // vec4 blocks per chunk of pass 1 (the unrolled loops over u spell it 4u)

#include "score-gmm-pass-bindings"

fn load_block(i: u32, b: u32) -> vec4<f32> {
  let j = i * DIM + 4u * b;
  if (4u * b + 3u < DIM) { return vec4<f32>(xs[j], xs[j + 1u], xs[j + 2u], xs[j + 3u]); }
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { v[e] = xs[j + e]; }
  }
  return v;
}

fn store_block(i: u32, b: u32, v: vec4<f32>) {
  let j = i * DIM + 4u * b;
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { scores[j + e] = v[e]; }
  }
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  let first = group * WG_SIZE * PPT + lid;  // particle r of this invocation: first + r * WG_SIZE
  if (first >= params.count) { return; }
  var idx: array<u32, PPT>;
  var quad: array<array<f32, NCOMP>, PPT>;
  for (var r = 0u; r < PPT; r++) { // unroll
    idx[r] = min(first + r * WG_SIZE, params.count - 1u);
    for (var k = 0u; k < NCOMP; k++) { // unroll
      quad[r][k] = 0.0; }
  }
  // pass 1: the quadratic forms of all components, CB blocks at a time: each chunk is summed on its
  // own before it is added to quad, so a long d adds DIM4 / CB terms to each accumulator, not DIM4
  // (at d = 1024 a block-by-block sum measured 4x the split kernel's rounding error)
  for (var c = 0u; c < DIM4 / CB; c++) {
    var xc: array<array<vec4<f32>, CB>, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      for (var u = 0u; u < 4u; u++) { // unroll
        xc[r][u] = load_block(idx[r], c * CB + u); }
    }
    for (var k = 0u; k < NCOMP; k++) { // unroll
      var part: array<f32, PPT>;
      for (var r = 0u; r < PPT; r++) { // unroll
        part[r] = 0.0; }
      for (var u = 0u; u < 4u; u++) { // unroll
        let mm = table[k * STRIDE4 + 1u + c * CB + u];
        let ic = table[k * STRIDE4 + 1u + DIM4 + c * CB + u];
        for (var r = 0u; r < PPT; r++) { // unroll
          let y = xc[r][u] - mm;
          part[r] += dot(y, y * ic);
        }
      }
      for (var r = 0u; r < PPT; r++) { // unroll
        quad[r][k] += part[r]; }
    }
  }
  for (var b = DIM4 / CB * CB; b < DIM4; b++) {
    var xb: array<vec4<f32>, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      xb[r] = load_block(idx[r], b); }
    for (var k = 0u; k < NCOMP; k++) { // unroll
      let mm = table[k * STRIDE4 + 1u + b];
      let ic = table[k * STRIDE4 + 1u + DIM4 + b];
      for (var r = 0u; r < PPT; r++) { // unroll
        let y = xb[r] - mm;
        quad[r][k] += dot(y, y * ic);
      }
    }
  }
  // the responsibilities, unnormalised: w_k = exp(ell_k - max ell)
  var w: array<array<f32, NCOMP>, PPT>;
  var inv: array<f32, PPT>;
  for (var r = 0u; r < PPT; r++) { // unroll
    var top = -3.0e38;
    for (var k = 0u; k < NCOMP; k++) { // unroll
      let ell = table[k * STRIDE4].x - 0.5 * quad[r][k];
      w[r][k] = ell;
      top = max(top, ell);
    }
    var sum = 0.0;
    for (var k = 0u; k < NCOMP; k++) { // unroll
      w[r][k] = exp(w[r][k] - top);
      sum += w[r][k];
    }
    inv[r] = -1.0 / sum;
  }
  // pass 2: the weighted sum, block by block
  for (var b = 0u; b < DIM4; b++) {
    var xb: array<vec4<f32>, PPT>;
    var acc: array<vec4<f32>, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      xb[r] = load_block(idx[r], b);
      acc[r] = vec4<f32>(0.0);
    }
    for (var k = 0u; k < NCOMP; k++) { // unroll
      let mm = table[k * STRIDE4 + 1u + b];
      let ic = table[k * STRIDE4 + 1u + DIM4 + b];
      for (var r = 0u; r < PPT; r++) { // unroll
        acc[r] += w[r][k] * ((xb[r] - mm) * ic); }
    }
    for (var r = 0u; r < PPT; r++) { // unroll
      if (first + r * WG_SIZE < params.count) { store_block(idx[r], b, acc[r] * inv[r]); }
    }
  }
}
