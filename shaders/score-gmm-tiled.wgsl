// The exact score of an axis-aligned Gaussian mixture under the OU process (ALGORITHMS.md 7.1) as
// one pass over a particle tile, for evaluations that share one time t (every particle of a step):
//   s_t(x) = -sum_k r_k (x - m mu_k) / c_k,   c_k = m^2 lam_k + sigma^2,
//   r_k    = softmax_k( log w_k - 1/2 sum_j log c_kj - 1/2 sum_j (x_j - m mu_kj)^2 / c_kj ).
// Everything that depends on t but not on x is computed once per time in float64 on the CPU (the
// per-time table, src/scores/gmm-time-table.ts): per component (const_k, 0, 0, 0), m mu_k (DIM4
// vec4s), 1 / c_k (DIM4 vec4s). So the per-particle work is 4 FMAs per component and coordinate,
// no division and no logarithm.
// Layout: each invocation evaluates PPT particles, so that every table value it loads serves PPT
// particles (loads, not FMAs, bound a thread-per-particle kernel on SwiftShader); with STAGE the
// workgroup first copies the table into workgroup memory (when it fits).
// With TABLE_UNIFORM the table is a uniform buffer (it must fit the 64 KiB uniform binding).
// Defines: DIM, NCOMP, WG_SIZE, PPT, STAGE, TABLE_UNIFORM.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NCOMP: u32 = ${NCOMP}u;
const PPT: u32 = ${PPT}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const STRIDE4: u32 = 1u + 2u * DIM4;
const TABLE4: u32 = NCOMP * STRIDE4;
alias Vec = array<vec4<f32>, (${DIM}u + 3u) / 4u>;

#include "score-gmm-pass-bindings"

#if ${STAGE}
var<workgroup> wtable: array<vec4<f32>, NCOMP * (1u + 2u * ((${DIM}u + 3u) / 4u))>;
fn tab(i: u32) -> vec4<f32> { return wtable[i]; }
#else
fn tab(i: u32) -> vec4<f32> { return table[i]; }
#endif

fn load_x(i: u32, x: ptr<function, Vec>) {
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = xs[base + 4u * b + e]; }
    }
    (*x)[b] = v;
  }
}

fn store_s(i: u32, s: ptr<function, Vec>) {
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    let v = (*s)[b];
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { scores[base + 4u * b + e] = v[e]; }
    }
  }
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
#if ${STAGE}
  for (var i = lid; i < TABLE4; i += WG_SIZE) { wtable[i] = table[i]; }
  workgroupBarrier();
#endif
  let group = wid.x + wid.y * nwg.x;
  let first = group * WG_SIZE * PPT + lid;  // particle r of this invocation: first + r * WG_SIZE
  if (first >= params.count) { return; }
  var x: array<Vec, PPT>;
  var s: array<Vec, PPT>;
  var run_max: array<f32, PPT>;
  var run_sum: array<f32, PPT>;
  for (var r = 0u; r < PPT; r++) { // unroll
    load_x(min(first + r * WG_SIZE, params.count - 1u), &x[r]);
    run_max[r] = -3.0e38;
    run_sum[r] = 0.0;
    for (var b = 0u; b < DIM4; b++) { // unroll
      s[r][b] = vec4<f32>(0.0); }
  }
  for (var k = 0u; k < NCOMP; k++) {
    let base = k * STRIDE4;
    let mm0 = base + 1u;
    let ic0 = mm0 + DIM4;
    var quad: array<f32, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      quad[r] = 0.0; }
    for (var b = 0u; b < DIM4; b++) { // unroll
      let mm = tab(mm0 + b);
      let ic = tab(ic0 + b);
      for (var r = 0u; r < PPT; r++) { // unroll
        let yb = x[r][b] - mm;
        quad[r] += dot(yb, yb * ic);
      }
    }
    let cst = tab(base).x;
    for (var r = 0u; r < PPT; r++) { // unroll
      let ell = cst - 0.5 * quad[r];
      // online log-sum-exp: one exp per component and particle
      let decay = exp(-abs(ell - run_max[r]));
      let grow = ell > run_max[r];
      let rescale = select(1.0, decay, grow);
      let w = select(decay, 1.0, grow);
      run_max[r] = max(run_max[r], ell);
      // branch-free: rescaling only when the maximum grows (an if around the multiply) measured
      // about 2x slower on SwiftShader
      run_sum[r] = run_sum[r] * rescale + w;
      // the scaled difference is recomputed rather than kept from the quadratic form (2 x PPT x d
      // private floats instead of 3): on SwiftShader 1.2-1.7x faster in paired runs at P = 20,000,
      // equal within the noise at P = 1e5 (bench/results/perf-swiftshader-v3-before-after)
      for (var b = 0u; b < DIM4; b++) { // unroll
        s[r][b] = s[r][b] * rescale + w * ((x[r][b] - tab(mm0 + b)) * tab(ic0 + b)); }
    }
  }
  for (var r = 0u; r < PPT; r++) { // unroll
    let i = first + r * WG_SIZE;
    if (i < params.count) {
      let inv = -1.0 / run_sum[r];
      for (var b = 0u; b < DIM4; b++) { // unroll
        s[r][b] = s[r][b] * inv; }
      store_s(i, &s[r]);
    }
  }
}
