// Exact empirical score of a dataset for a batch of points, wide layout for large d (the 'wide'
// layout of src/scores/dataset-batch.ts): one WORKGROUP per query point, so no invocation holds a
// d-long private array (thread-per-point kernels spill at d in the hundreds).
//   s_t(x) = (m x0hat - x) / sigma^2,   x0hat = sum_i softmax_i(-|x - m x_i|^2 / (2 sigma^2)) x_i.
// The query point sits in workgroup memory; the data stream through in tiles of TILE points:
//   1. distances: invocation l computes the whole logit ell_i = -|x - m x_i|^2 / (2 sigma^2) of the
//      tile's points i = l, l + WG_SIZE, ... (reading x from workgroup memory) into logits[buf];
//   2. barrier;
//   3. every invocation folds the TILE logits into its running max / running sum (the same values
//      in every invocation) and accumulates sum_i w_i x_i for the coordinates it owns,
//      j = l, l + WG_SIZE, ... (strided, so the loads of one point coalesce), in registers.
// logits is double-buffered (tile k writes half k % 2), so one barrier per tile suffices: tile k+1's
// writes come after every invocation passed tile k's barrier, hence after its reads of tile k-1.
// Each point has its own time (t, m, sig2). Writes x0hat (OUT_X0) or the score for its coordinates.
// Defines: DIM, NPOINTS, TILE, WG_SIZE, OWN (= ceil(DIM / WG_SIZE)), OUT_X0.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NPOINTS: u32 = ${NPOINTS}u;
const TILE: u32 = ${TILE}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const OWN: u32 = ${OWN}u;

struct Batch {
  count: u32,
  // workgroups per row of the dispatch grid (one workgroup per point)
  row_stride: u32,
}

@group(0) @binding(0) var<uniform> batch: Batch;
// the time of each point: (t, m, sig2, 0)
@group(0) @binding(1) var<storage, read> times: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
// point i at data[i * DIM4 ..], zero-padded to DIM4 vec4s
@group(0) @binding(3) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

var<workgroup> xq: array<vec4<f32>, DIM4>;
var<workgroup> logits: array<f32, 2u * TILE>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let p = wid.x + wid.y * batch.row_stride;
  // uniform per workgroup (workgroup id and a uniform), so returning keeps the barriers uniform
  if (p >= batch.count) { return; }
  for (var b = lid; b < DIM4; b += WG_SIZE) {
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) {
      if (4u * b + e < DIM) { v[e] = points[p * DIM + 4u * b + e]; }
    }
    xq[b] = v;
  }
  let tm = times[p];
  let m = tm.y;
  let inv2s = 0.5 / tm.z;
  var acc: array<f32, OWN>;
  var run_max = -3.0e38;
  var run_sum = 0.0;
  workgroupBarrier();
  var buf = 0u;
  for (var first = 0u; first < NPOINTS; first += TILE) {
    let n = min(TILE, NPOINTS - first);
    // 1. whole logits of the tile's points, one point per invocation
    for (var q = lid; q < n; q += WG_SIZE) {
      let base = (first + q) * DIM4;
      var dist = 0.0;
      for (var b = 0u; b < DIM4; b++) {
        let v = xq[b] - m * data[base + b];
        dist += dot(v, v);
      }
      logits[buf + q] = -dist * inv2s;
    }
    workgroupBarrier();
    // 3. online log-sum-exp over the tile: one rescale per tile, at the tile's max
    var tmax = run_max;
    for (var q = 0u; q < n; q++) { tmax = max(tmax, logits[buf + q]); }
    let rescale = exp(run_max - tmax);
    run_sum *= rescale;
    for (var k = 0u; k < OWN; k++) { acc[k] *= rescale; }
    run_max = tmax;
    for (var q = 0u; q < n; q++) {
      let w = exp(logits[buf + q] - tmax);
      if (w > 1.0e-12) {
        run_sum += w;
        let base = (first + q) * DIM4;
        for (var k = 0u; k < OWN; k++) {
          let j = lid + k * WG_SIZE;
          if (j < DIM) { acc[k] += w * data[base + (j >> 2u)][j & 3u]; }
        }
      }
    }
    buf = TILE - buf;
  }
  let inv = 1.0 / run_sum;
  let inv_s = 1.0 / tm.z;
  for (var k = 0u; k < OWN; k++) {
    let j = lid + k * WG_SIZE;
    if (j < DIM) {
#if ${OUT_X0}
      scores[p * DIM + j] = acc[k] * inv;
#else
      scores[p * DIM + j] = (m * acc[k] * inv - points[p * DIM + j]) * inv_s;
#endif
    }
  }
}
