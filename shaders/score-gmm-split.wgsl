// The exact score of an axis-aligned Gaussian mixture at one time t for large d: SPLIT invocations
// share one particle, each owning CH4 = ceil(DIM4 / SPLIT) coordinate blocks, so every slice of
// the state stays in registers (its loops unrolled) however large d is. Per component the partial
// quadratic forms are summed through workgroup memory (one write, a barrier, SPLIT reads, a
// barrier); every invocation of the particle then runs the same online log-sum-exp and updates
// its own slice of the score. Same per-time table and bindings as score-gmm-tiled.wgsl (see there
// for the math). Defines: DIM, NCOMP, WG_SIZE, SPLIT (a power of 2 dividing WG_SIZE), TABLE_UNIFORM.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NCOMP: u32 = ${NCOMP}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const SPLIT: u32 = ${SPLIT}u;
const CH4: u32 = (DIM4 + SPLIT - 1u) / SPLIT;
const STRIDE4: u32 = 1u + 2u * DIM4;
alias Slice = array<vec4<f32>, ((${DIM}u + 3u) / 4u + ${SPLIT}u - 1u) / ${SPLIT}u>;

#include "score-gmm-pass-bindings"

var<workgroup> partial: array<f32, WG_SIZE>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  let slot = lid / SPLIT;
  let lane = lid % SPLIT;
  let particle = group * (WG_SIZE / SPLIT) + slot;
  // no early return: every invocation must reach the barriers
  let live = particle < params.count;
  let i = min(particle, params.count - 1u);
  var x: Slice;
  var y: Slice;
  var s: Slice;
  for (var c = 0u; c < CH4; c++) { // unroll
    let g = lane * CH4 + c;
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * g + e < DIM) { v[e] = xs[i * DIM + 4u * g + e]; }
    }
    x[c] = v;
    s[c] = vec4<f32>(0.0);
  }
  var run_max = -3.0e38;
  var run_sum = 0.0;
  for (var k = 0u; k < NCOMP; k++) {
    let base = k * STRIDE4;
    var quad = 0.0;
    for (var c = 0u; c < CH4; c++) { // unroll
      let g = lane * CH4 + c;
      var a = vec4<f32>(0.0);
      if (g < DIM4) {
        let yb = x[c] - table[base + 1u + g];
        a = yb * table[base + 1u + DIM4 + g];
        quad += dot(yb, a);
      }
      y[c] = a;
    }
    partial[lid] = quad;
    workgroupBarrier();
    var total = 0.0;
    for (var j = 0u; j < SPLIT; j++) { // unroll
      total += partial[slot * SPLIT + j]; }
    workgroupBarrier();
    let ell = table[base].x - 0.5 * total;
    let decay = exp(-abs(ell - run_max));
    let grow = ell > run_max;
    let rescale = select(1.0, decay, grow);
    let w = select(decay, 1.0, grow);
    run_max = max(run_max, ell);
    run_sum = run_sum * rescale + w;
    for (var c = 0u; c < CH4; c++) { // unroll
      s[c] = s[c] * rescale + w * y[c]; }
  }
  if (live) {
    let inv = -1.0 / run_sum;
    for (var c = 0u; c < CH4; c++) { // unroll
      let g = lane * CH4 + c;
      let v = s[c] * inv;
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * g + e < DIM) { scores[i * DIM + 4u * g + e] = v[e]; }
      }
    }
  }
}
