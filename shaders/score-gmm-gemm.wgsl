// The exact score of an axis-aligned Gaussian mixture at one time t (ALGORITHMS.md 7.1) with the
// per-time table in private memory, for software adapters (SwiftShader) at 16 <= d <= 256. With
// the table of src/scores/gmm-time-table.ts (gmmGemmTable: e_k, h_kj = -1/2 / c_kj, a_kj = m mu_kj):
//   ell_k = e_k + sum_j h_kj (x_j - a_kj)^2                      (pass 1)
//   r     = softmax(ell)                                          (shaders/gmm-softmax.wgsl)
//   s_j   = 2 sum_k r_k h_kj (x_j - a_kj)                        (pass 2)
// four SSE operations per (k, j) in each pass (SwiftShader has no FMA). The layout's name `gemm`
// is the kernel's first form, the square expanded into a matrix product: no faster there, and
// 6-7x less accurate at d >= 256 (see gmmGemmTable).
// Why this shape (measured on SwiftShader, bench/results/perf-swiftshader-access-costs): there an
// invocation is one SIMD lane, and one operand read from a uniform, storage or workgroup buffer
// costs 14-119 register multiply-adds, while a private array read at a constant index costs 2.7.
// So each invocation copies the whole table into a private array once and then evaluates
// `params.seq` particles one after another, every loop over components and coordinates unrolled
// (constant indices: a private array read at a run-time index is a per-lane gather, 92). Two
// 8-component accumulators (vec4 pairs) keep pass 1 inside the 16 SSE registers. The copy itself
// is a run-time loop (unrolled, the pipeline took 35 s instead of 4 s to compile).
// Each particle's arithmetic does not depend on `seq` or on where it sits in the dispatch, so any
// chunking gives the same bits. Defines: DIM, KP (components padded to a multiple of 8),
// K4 = KP / 4, KB = KP / 8, DP16 (coordinates padded to a multiple of 16, divided by 16), WG_SIZE.

const DIM: u32 = ${DIM}u;
const KP: u32 = ${KP}u;
const K4: u32 = KP / 4u;
const DP: u32 = 16u * ${DP16}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const HA0: u32 = K4;                   // first vec4 of the h / a blocks
const BLK4: u32 = DP * 4u;             // vec4s per block of 8 components
const TAB4: u32 = HA0 + KP * DP / 2u;

struct Params {
  count: u32,       // particles
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
  seq: u32,         // particles per invocation, one after another
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<storage, read> table: array<vec4<f32>>;

#include "gmm-softmax"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group * WG_SIZE * params.seq + lid >= params.count) { return; }
  var pt: array<vec4<f32>, TAB4>;
  for (var q = 0u; q < TAB4; q++) { pt[q] = table[q]; }
  for (var n = 0u; n < params.seq; n++) {
    let i = (group * params.seq + n) * WG_SIZE + lid;
    if (i >= params.count) { break; }
    // padding coordinates read a valid x and meet h = a = 0
    var y: array<f32, DP>;
    for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
      for (var j2 = 0u; j2 < 16u; j2++) { // unroll
        y[j1 * 16u + j2] = xs[i * DIM + min(j1 * 16u + j2, DIM - 1u)];
      }
    }
    // pass 1: the log-densities, 8 components at a time
    var ell: array<vec4<f32>, K4>;
    for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
      // summed 64 coordinates at a time, each part then added (one long f32 sum loses more)
      ell[2u * blk] = pt[2u * blk];
      ell[2u * blk + 1u] = pt[2u * blk + 1u];
      var a0 = vec4<f32>(0.0);
      var a1 = vec4<f32>(0.0);
      for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          let d0 = y[j1 * 16u + j2] - pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 2u];
          let d1 = y[j1 * 16u + j2] - pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 3u];
          a0 += pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u] * d0 * d0;
          a1 += pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 1u] * d1 * d1;
        }
        if (j1 % 4u == 3u || j1 + 1u == ${DP16}u) {
          ell[2u * blk] += a0;
          ell[2u * blk + 1u] += a1;
          a0 = vec4<f32>(0.0);
          a1 = vec4<f32>(0.0);
        }
      }
    }
    // the responsibilities: one exp per component
    softmax_in_place(&ell);
    // pass 2: the score, coordinate by coordinate
    for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
      for (var j2 = 0u; j2 < 16u; j2++) { // unroll
        if (j1 * 16u + j2 < DIM) {
          let yj = y[j1 * 16u + j2];
          var acc = vec4<f32>(0.0);
          for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
            acc += ell[2u * blk] * (pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u] * (yj - pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 2u]))
                 + ell[2u * blk + 1u] * (pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 1u] * (yj - pt[HA0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 3u]));
          }
          scores[i * DIM + j1 * 16u + j2] = 2.0 * dot(acc, vec4<f32>(1.0));
        }
      }
    }
  }
}
