// The exact score of an axis-aligned Gaussian mixture at one time t for a tile of particles, in two
// passes over the components (same per-time table and bindings as score-gmm-tiled.wgsl):
//   pass 1: ell_k = const_k - 1/2 sum_j (x_j - m mu_kj)^2 / c_kj      for every k,
//           then r_k = exp(ell_k - max ell) / sum (K exps per particle);
//   pass 2: s_j   = -sum_k r_k (x_j - m mu_kj) / c_kj.
// Both passes run the coordinate blocks in the outer (rolled) loop and the components and the PPT
// particles of the invocation in unrolled inner loops, so the state block x_b and the score block
// stay in registers, each table vec4 loaded serves PPT particles, and the per-component sums live
// in constant-indexed private arrays: no per-component private vector traffic, which bounds the
// one-pass online kernel on SwiftShader. Defines: DIM, NCOMP (<= 16, unrolled), WG_SIZE, PPT,
// TABLE_UNIFORM.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NCOMP: u32 = ${NCOMP}u;
const PPT: u32 = ${PPT}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const STRIDE4: u32 = 1u + 2u * DIM4;

struct Params {
  count: u32,
  row_stride: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
#if ${TABLE_UNIFORM}
@group(0) @binding(3) var<uniform> table: array<vec4<f32>, NCOMP * (1u + 2u * ((${DIM}u + 3u) / 4u))>;
#else
@group(0) @binding(3) var<storage, read> table: array<vec4<f32>>;
#endif

// Block b of particle i (padding lanes 0).
fn load_block(i: u32, b: u32) -> vec4<f32> {
  let base = i * DIM + 4u * b;
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { v[e] = xs[base + e]; }
  }
  return v;
}

fn store_block(i: u32, b: u32, v: vec4<f32>) {
  let base = i * DIM + 4u * b;
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { scores[base + e] = v[e]; }
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
  // pass 1: the quadratic forms
  for (var b = 0u; b < DIM4; b++) {
    var xb: array<vec4<f32>, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      xb[r] = load_block(idx[r], b); }
    for (var k = 0u; k < NCOMP; k++) { // unroll
      let mm = table[k * STRIDE4 + 1u + b];
      let ic = table[k * STRIDE4 + 1u + DIM4 + b];
      for (var r = 0u; r < PPT; r++) { // unroll
        let y = xb[r] - mm;
        quad[r][k] += dot(y * ic, y);
      }
    }
  }
  // responsibilities, scaled by -1 / sum so that pass 2 writes the score directly
  for (var r = 0u; r < PPT; r++) { // unroll
    var top = -3.0e38;
    for (var k = 0u; k < NCOMP; k++) { // unroll
      quad[r][k] = table[k * STRIDE4].x - 0.5 * quad[r][k];
      top = max(top, quad[r][k]);
    }
    var sum = 0.0;
    for (var k = 0u; k < NCOMP; k++) { // unroll
      quad[r][k] = exp(quad[r][k] - top);
      sum += quad[r][k];
    }
    let scale = -1.0 / sum;
    for (var k = 0u; k < NCOMP; k++) { // unroll
      quad[r][k] *= scale; }
  }
  // pass 2: the weighted sum
  for (var b = 0u; b < DIM4; b++) {
    var xb: array<vec4<f32>, PPT>;
    var sb: array<vec4<f32>, PPT>;
    for (var r = 0u; r < PPT; r++) { // unroll
      xb[r] = load_block(idx[r], b);
      sb[r] = vec4<f32>(0.0);
    }
    for (var k = 0u; k < NCOMP; k++) { // unroll
      let mm = table[k * STRIDE4 + 1u + b];
      let ic = table[k * STRIDE4 + 1u + DIM4 + b];
      for (var r = 0u; r < PPT; r++) { // unroll
        sb[r] += (quad[r][k] * ic) * (xb[r] - mm); }
    }
    for (var r = 0u; r < PPT; r++) { // unroll
      if (first + r * WG_SIZE < params.count) { store_block(first + r * WG_SIZE, b, sb[r]); }
    }
  }
}
