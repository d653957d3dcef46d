// Exact empirical score of a dataset for a batch of points, as a standalone kernel (the external
// model of src/scores/dataset-batch.ts): one invocation per point, and the dataset streamed through
// workgroup memory in tiles of TILE points that the workgroup loads together:
//   for each tile: cooperative load -> barrier -> every invocation folds the tile into its running
//   max log-sum-exp and weighted sum of points -> barrier,
// so no N x P weight matrix exists and each point of the data is read from memory once per
// workgroup. Every invocation reaches every barrier (out-of-range ones work on a clamped index
// and do not store), as WGSL's uniformity rules require.
//   s_t(x) = (m x0hat - x) / sigma^2,   x0hat = sum_i softmax_i(-|x - m x_i|^2 / (2 sigma^2)) x_i.
// Each point has its own time (t, m, sig2). Writes x0hat (OUT_X0) or the score. Defines: DIM, NPOINTS, TILE, WG_SIZE, OUT_X0.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NPOINTS: u32 = ${NPOINTS}u;
const TILE: u32 = ${TILE}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
alias Vec = array<vec4<f32>, (${DIM}u + 3u) / 4u>;

struct Batch {
  count: u32,
  row_stride: u32,
}

@group(0) @binding(0) var<uniform> batch: Batch;
// the time of each point: (t, m, sig2, 0)
@group(0) @binding(1) var<storage, read> times: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

var<workgroup> tile: array<vec4<f32>, TILE * DIM4>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let p = gid.x + gid.y * batch.row_stride;
  let in_range = p < batch.count;
  let pc = min(p, batch.count - 1u);
  var x: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { x[b][e] = points[pc * DIM + 4u * b + e]; }
    }
  }
  let tm = times[pc];
  let m = tm.y;
  let inv2s = 0.5 / tm.z;
  var acc: Vec;
  var run_max = -3.0e38;
  var run_sum = 0.0;
  for (var first = 0u; first < NPOINTS; first += TILE) {
    let n = min(TILE, NPOINTS - first);
    for (var k = lid; k < n * DIM4; k += WG_SIZE) {
      tile[k] = data[first * DIM4 + k];
    }
    workgroupBarrier();
    for (var q = 0u; q < n; q++) {
      let base = q * DIM4;
      var dist = 0.0;
      for (var b = 0u; b < DIM4; b++) { // unroll
        let v = x[b] - m * tile[base + b];
        dist += dot(v, v);
      }
      let ell = -dist * inv2s;
      let grow = ell > run_max;
      let decay = exp(-abs(ell - run_max));
      let rescale = select(1.0, decay, grow);
      let w = select(decay, 1.0, grow);
      if (grow || w > 1.0e-12) {
        run_sum = run_sum * rescale + w;
        run_max = max(run_max, ell);
        for (var b = 0u; b < DIM4; b++) { // unroll
          acc[b] = acc[b] * rescale + w * tile[base + b]; }
      }
    }
    workgroupBarrier();
  }
  if (in_range) {
    let inv = 1.0 / run_sum;
    let inv_s = 1.0 / tm.z;
    for (var b = 0u; b < DIM4; b++) { // unroll
#if ${OUT_X0}
      let s = acc[b] * inv;
#else
      let s = (m * acc[b] * inv - x[b]) * inv_s;
#endif
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM) { scores[p * DIM + 4u * b + e] = s[e]; }
      }
    }
  }
}
