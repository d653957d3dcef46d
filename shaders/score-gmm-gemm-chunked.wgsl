// The private-table mixture score of shaders/score-gmm-gemm.wgsl for large d on software adapters
// (SwiftShader, d > 256): the same table (gmmGemmTable), formulas and order of summation, with the
// coordinates taken in NCH chunks of CH so that one chunk's table fits private memory and its
// unrolled code stays small (compile time grows with the unrolled size: about 8 s at 16
// components x 128 coordinates).
//   pass 1, chunk by chunk:  ell_k += sum_{j in chunk} h_kj (x_j - a_kj)^2, starting at e_k
//   weights:                 r_k = exp(ell_k - max ell) / sum_k exp(ell_k - max ell)
//   pass 2, chunk by chunk:  s_j = 2 sum_k r_k h_kj (x_j - a_kj)
// Each invocation evaluates `params.seq` particles one after another (as the unchunked kernel) and
// keeps their partial log-densities, then their weights, in a private array between chunks (read
// at a run-time index: about 90 mul-adds per vec4, 8 per particle and chunk, against 4 x 16 x CH
// / 4 operations); each chunk's h / a is copied into private memory once per pass and serves all
// of them. A particle's arithmetic does not depend on seq, the chunk count or its place, so
// chunked runs give the same bits. Defines: DIM, KP (components padded to a multiple of 8),
// K4 = KP / 4, KB = KP / 8, CH16 (coordinates per chunk / 16), NCH (chunks; NCH x CH >= DIM, the
// table padded to NCH x CH coordinates), SEQMAX (largest seq), WG_SIZE.

const DIM: u32 = ${DIM}u;
const KP: u32 = ${KP}u;
const K4: u32 = KP / 4u;
const CH: u32 = 16u * ${CH16}u;
const NCH: u32 = ${NCH}u;
const DP: u32 = CH * NCH;              // padded coordinates of the table
const SEQMAX: u32 = ${SEQMAX}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const HA0: u32 = K4;                   // first vec4 of the h / a blocks in the table
const BLK4: u32 = DP * 4u;             // table vec4s per block of 8 components
const CB4: u32 = CH * 4u;              // vec4s per block of 8 components in one chunk
const PT4: u32 = ${KB}u * CB4;

struct Params {
  count: u32,       // particles
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
  seq: u32,         // particles per invocation, one after another (at most SEQMAX)
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<storage, read> table: array<vec4<f32>>;

const CHUNK0: u32 = HA0;

#include "gmm-table-chunk"
#include "gmm-softmax"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group * WG_SIZE * params.seq + lid >= params.count) { return; }
  let nseq = sequence_length(group, lid);
  var ells: array<vec4<f32>, SEQMAX * K4>;
  for (var n = 0u; n < nseq; n++) {
    for (var q = 0u; q < K4; q++) { ells[n * K4 + q] = table[q]; }
  }
  // pass 1: the log-densities, chunk by chunk, 8 components at a time
  for (var c = 0u; c < NCH; c++) {
    copy_chunk(c);
    for (var n = 0u; n < nseq; n++) {
      let i = (group * params.seq + n) * WG_SIZE + lid;
      // padding coordinates read a valid x and meet h = a = 0
      var y: array<f32, CH>;
      for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          y[j1 * 16u + j2] = xs[i * DIM + min(c * CH + j1 * 16u + j2, DIM - 1u)];
        }
      }
      for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
        // each chunk summed on its own, then added (the error of one long f32 sum grows with d)
        var a0 = vec4<f32>(0.0);
        var a1 = vec4<f32>(0.0);
        for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
          for (var j2 = 0u; j2 < 16u; j2++) { // unroll
            let d0 = y[j1 * 16u + j2] - pt[blk * CB4 + (j1 * 16u + j2) * 4u + 2u];
            let d1 = y[j1 * 16u + j2] - pt[blk * CB4 + (j1 * 16u + j2) * 4u + 3u];
            a0 += pt[blk * CB4 + (j1 * 16u + j2) * 4u] * d0 * d0;
            a1 += pt[blk * CB4 + (j1 * 16u + j2) * 4u + 1u] * d1 * d1;
          }
        }
        ells[n * K4 + 2u * blk] += a0;
        ells[n * K4 + 2u * blk + 1u] += a1;
      }
    }
  }
  // the responsibilities, normalised: one exp per component
  for (var n = 0u; n < nseq; n++) {
    var ell: array<vec4<f32>, K4>;
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      ell[q] = ells[n * K4 + q]; }
    softmax_in_place(&ell);
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      ells[n * K4 + q] = ell[q]; }
  }
  // pass 2: the score, chunk by chunk, coordinate by coordinate
  for (var c = 0u; c < NCH; c++) {
    copy_chunk(c);
    for (var n = 0u; n < nseq; n++) {
      let i = (group * params.seq + n) * WG_SIZE + lid;
      var r: array<vec4<f32>, K4>;
      for (var q = 0u; q < ${K4}u; q++) { // unroll
        r[q] = ells[n * K4 + q]; }
      for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          let j = c * CH + j1 * 16u + j2;
          if (j < DIM) {
            let xj = xs[i * DIM + j];
            var acc = vec4<f32>(0.0);
            for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
              acc += r[2u * blk] * (pt[blk * CB4 + (j1 * 16u + j2) * 4u] * (xj - pt[blk * CB4 + (j1 * 16u + j2) * 4u + 2u]))
                   + r[2u * blk + 1u] * (pt[blk * CB4 + (j1 * 16u + j2) * 4u + 1u] * (xj - pt[blk * CB4 + (j1 * 16u + j2) * 4u + 3u]));
            }
            scores[i * DIM + j] = 2.0 * dot(acc, vec4<f32>(1.0));
          }
        }
      }
    }
  }
}
