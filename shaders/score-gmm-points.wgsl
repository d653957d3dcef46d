// The exact score (or denoiser) of an axis-aligned Gaussian mixture at points that each carry
// their own time (ALGORITHMS.md 7.1), for the staged score of the samplers that evaluate inside
// their kernels (randomized midpoints drawn per particle, heroism's nodes): the private-table
// structure of shaders/score-gmm-gemm-chunked.wgsl with a time-free table. Per point (t, m, sig2),
// with c_kj = m^2 lam_kj + sig2 and rho = m^2 / sig2 (its log the log-SNR v):
//   ell_k = log w_k - 1/2 F_k(v) - 1/2 sum_j (x_j - m mu_kj)^2 / c_kj      (pass 1, chunk by chunk)
//   F_k(v) = sum_j log(1 + rho lam_kj) = sum_j log c_kj - d log sig2      (a cubic Hermite spline in v,
//            tabulated in float64 by gmmPointsTable; the d log sig2 is the same for every k)
//   s_j   = sum_k r_k (m mu_kj - x_j) / c_kj                               (pass 2, SCORE_OUT)
//   x0_j  = sum_k r_k (mu_kj + m lam_kj (x_j - m mu_kj) / c_kj)            (pass 2, X0_OUT)
// r = softmax(ell). Seven operations per (component, coordinate) in each pass, no log (ten for x0).
// Each invocation evaluates `params.seq` points one after another and keeps their partial sums,
// then their weights, in a private array; each chunk's lam / mu is copied into private memory once
// per pass. A point's arithmetic does not depend on seq or its place. Defines: DIM, KP, K4, KB,
// CH16, NCH, SEQMAX, WG_SIZE, NV (spline nodes), V0, HV (first node, spacing), X0_OUT.

const DIM: u32 = ${DIM}u;
const KP: u32 = ${KP}u;
const K4: u32 = KP / 4u;
const CH: u32 = 16u * ${CH16}u;
const NCH: u32 = ${NCH}u;
const DP: u32 = CH * NCH;
const SEQMAX: u32 = ${SEQMAX}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const NV: u32 = ${NV}u;
const V0: f32 = ${V0};
const HV: f32 = ${HV};
const FT0: u32 = K4;                   // F at the nodes: FT0 + node * K4 + q
const FD0: u32 = K4 + NV * K4;         // dF / dv at the nodes
const LM0: u32 = K4 + 2u * NV * K4;    // first vec4 of the lam / mu blocks
const BLK4: u32 = DP * 4u;
const CB4: u32 = CH * 4u;
const PT4: u32 = ${KB}u * CB4;

struct Params {
  count: u32,       // points
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
  seq: u32,         // points per invocation, one after another (at most SEQMAX)
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> times: array<vec4<f32>>;  // (t, m, sig2, 0) per point
@group(0) @binding(3) var<storage, read_write> outs: array<f32>;
@group(0) @binding(4) var<storage, read> table: array<vec4<f32>>;

const CHUNK0: u32 = LM0;

#include "gmm-table-chunk"
#include "gmm-softmax"

// (m, m^2, sig2) of point i.
fn point_time(i: u32) -> vec3<f32> {
  let tp = times[i];
  return vec3<f32>(tp.y, tp.y * tp.y, tp.z);
}

// F(v) of components 4q .. 4q + 3 (cubic Hermite between nodes; linear beyond the ends, where F is
// asymptotically linear in v).
fn spline_f(v: f32, q: u32) -> vec4<f32> {
  let pos = (v - V0) / HV;
  let pc = clamp(pos, 0.0, f32(NV - 1u));
  let i = min(u32(pc), NV - 2u);
  let f = pc - f32(i);
  let f0 = table[FT0 + i * K4 + q];
  let f1 = table[FT0 + (i + 1u) * K4 + q];
  let d0 = table[FD0 + i * K4 + q] * HV;
  let d1 = table[FD0 + (i + 1u) * K4 + q] * HV;
  let f2 = f * f;
  let f3 = f2 * f;
  let inner = (2.0 * f3 - 3.0 * f2 + 1.0) * f0 + (f3 - 2.0 * f2 + f) * d0 + (-2.0 * f3 + 3.0 * f2) * f1 + (f3 - f2) * d1;
  let edge = select(d0, d1, pos > pc);
  return inner + edge * (pos - pc);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group * WG_SIZE * params.seq + lid >= params.count) { return; }
  let nseq = sequence_length(group, lid);
  var ells: array<vec4<f32>, SEQMAX * K4>;
  for (var n = 0u; n < nseq; n++) {
    for (var q = 0u; q < K4; q++) { ells[n * K4 + q] = vec4<f32>(0.0); }
  }
  // pass 1: sum_j (x_j - m mu_kj)^2 / c_kj, chunk by chunk, 8 components at a time
  for (var c = 0u; c < NCH; c++) {
    copy_chunk(c);
    for (var n = 0u; n < nseq; n++) {
      let i = (group * params.seq + n) * WG_SIZE + lid;
      let mt = point_time(i);
      let m = mt.x;
      let m2 = mt.y;
      let s2 = mt.z;
      // padding coordinates are 0 and meet mu = 0: they add nothing
      var y: array<f32, CH>;
      for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          let j = c * CH + j1 * 16u + j2;
          y[j1 * 16u + j2] = select(xs[i * DIM + min(j, DIM - 1u)], 0.0, j >= DIM);
        }
      }
      for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
        var a0 = vec4<f32>(0.0);
        var a1 = vec4<f32>(0.0);
        for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
          for (var j2 = 0u; j2 < 16u; j2++) { // unroll
            let jj = (j1 * 16u + j2) * 4u;
            let d0 = y[j1 * 16u + j2] - m * pt[blk * CB4 + jj + 2u];
            let d1 = y[j1 * 16u + j2] - m * pt[blk * CB4 + jj + 3u];
            a0 += d0 * d0 / (m2 * pt[blk * CB4 + jj] + s2);
            a1 += d1 * d1 / (m2 * pt[blk * CB4 + jj + 1u] + s2);
          }
        }
        ells[n * K4 + 2u * blk] += a0;
        ells[n * K4 + 2u * blk + 1u] += a1;
      }
    }
  }
  // the responsibilities, normalised
  for (var n = 0u; n < nseq; n++) {
    let i = (group * params.seq + n) * WG_SIZE + lid;
    let tp = times[i];
    let v = log(tp.y * tp.y / tp.z);
    var ell: array<vec4<f32>, K4>;
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      ell[q] = table[q] - 0.5 * (spline_f(v, q) + ells[n * K4 + q]); }
    softmax_in_place(&ell);
    for (var q = 0u; q < ${K4}u; q++) { // unroll
      ells[n * K4 + q] = ell[q]; }
  }
  // pass 2: the score (or x0hat), chunk by chunk, coordinate by coordinate
  for (var c = 0u; c < NCH; c++) {
    copy_chunk(c);
    for (var n = 0u; n < nseq; n++) {
      let i = (group * params.seq + n) * WG_SIZE + lid;
      let mt = point_time(i);
      let m = mt.x;
      let m2 = mt.y;
      let s2 = mt.z;
      var r: array<vec4<f32>, K4>;
      for (var q = 0u; q < ${K4}u; q++) { // unroll
        r[q] = ells[n * K4 + q]; }
      for (var j1 = 0u; j1 < ${CH16}u; j1++) { // unroll
        for (var j2 = 0u; j2 < 16u; j2++) { // unroll
          let j = c * CH + j1 * 16u + j2;
          if (j < DIM) {
            let xj = xs[i * DIM + j];
            let jj = (j1 * 16u + j2) * 4u;
            var acc = vec4<f32>(0.0);
            for (var blk = 0u; blk < ${KB}u; blk++) { // unroll
              let l0 = pt[blk * CB4 + jj];
              let l1 = pt[blk * CB4 + jj + 1u];
              let u0 = pt[blk * CB4 + jj + 2u];
              let u1 = pt[blk * CB4 + jj + 3u];
#if ${X0_OUT}
              acc += r[2u * blk] * (u0 + m * l0 * (xj - m * u0) / (m2 * l0 + s2))
                   + r[2u * blk + 1u] * (u1 + m * l1 * (xj - m * u1) / (m2 * l1 + s2));
#else
              acc += r[2u * blk] * ((m * u0 - xj) / (m2 * l0 + s2))
                   + r[2u * blk + 1u] * ((m * u1 - xj) / (m2 * l1 + s2));
#endif
            }
            outs[i * DIM + j] = dot(acc, vec4<f32>(1.0));
          }
        }
      }
    }
  }
}
