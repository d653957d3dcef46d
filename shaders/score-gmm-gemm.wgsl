// The exact score of an axis-aligned Gaussian mixture at one time t (ALGORITHMS.md 7.1) in the
// GEMM form, for software adapters (SwiftShader) at 16 <= d <= 256. With y = x - m z (the table's
// shift) and the per-time table of src/scores/gmm-time-table.ts (gmmGemmTable):
//   ell_k = e_k + sum_j (y_j^2 h_kj + y_j g_kj)                 (pass 1: 2 FMAs per (k, j))
//   w_k   = exp(ell_k - max_k ell_k)
//   s_j   = sum_k w_k (g_kj + 2 y_j h_kj) / sum_k w_k           (pass 2: 2 FMAs per (k, j))
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
const HG0: u32 = K4 + DP / 4u;         // first vec4 of the h / g blocks
const BLK4: u32 = DP * 4u;             // vec4s per block of 8 components
const TAB4: u32 = HG0 + KP * DP / 2u;

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

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group * WG_SIZE * params.seq + lid >= params.count) { return; }
  var pt: array<vec4<f32>, TAB4>;
  for (var q = 0u; q < TAB4; q++) { pt[q] = table[q]; }
  for (var n = 0u; n < params.seq; n++) {
    let i = (group * params.seq + n) * WG_SIZE + lid;
    if (i >= params.count) { break; }
    // y = x - m z; padding coordinates read a valid x and meet h = g = 0
    var y: array<f32, DP>;
    for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
      for (var j2 = 0u; j2 < 16u; j2++) { // unroll
        y[j1 * 16u + j2] = xs[i * DIM + min(j1 * 16u + j2, DIM - 1u)] - pt[K4 + (j1 * 16u + j2) / 4u][(j1 * 16u + j2) % 4u];
      }
    }
    // pass 1: the log-densities, 8 components at a time
    var ell: array<vec4<f32>, K4>;
    for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
      var a0 = pt[2u * blk];
      var a1 = pt[2u * blk + 1u];
      for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          let yj = y[j1 * 16u + j2];
          let y2 = yj * yj;
          a0 += y2 * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u] + yj * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 2u];
          a1 += y2 * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 1u] + yj * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 3u];
        }
      }
      ell[2u * blk] = a0;
      ell[2u * blk + 1u] = a1;
    }
    // responsibilities (unnormalised): one exp per component
    var mx = ell[0];
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      mx = max(mx, ell[q]); }
    let top = max(max(mx.x, mx.y), max(mx.z, mx.w));
    var total = vec4<f32>(0.0);
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      ell[q] = exp(ell[q] - top);
      total += ell[q]; }
    let inv = 1.0 / (total.x + total.y + total.z + total.w);
    // pass 2: the score, coordinate by coordinate
    for (var j1 = 0u; j1 < ${DP16}u; j1++) { // unroll
      for (var j2 = 0u; j2 < 16u; j2++) { // unroll
        if (j1 * 16u + j2 < DIM) {
          var h = vec4<f32>(0.0);
          var g = vec4<f32>(0.0);
          for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
            h += ell[2u * blk] * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u] + ell[2u * blk + 1u] * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 1u];
            g += ell[2u * blk] * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 2u] + ell[2u * blk + 1u] * pt[HG0 + blk * BLK4 + (j1 * 16u + j2) * 4u + 3u];
          }
          scores[i * DIM + j1 * 16u + j2] = (dot(g, vec4<f32>(1.0)) + 2.0 * y[j1 * 16u + j2] * dot(h, vec4<f32>(1.0))) * inv;
        }
      }
    }
  }
}
