// Exact empirical score of a dataset for a batch of points, wide layout for large d (the 'wide'
// layout of src/scores/dataset-batch.ts): a WORKGROUP per query point (workgroup g scores points
// g, g + groups, ...), each invocation owning the vec4 blocks of coordinates b = l, l + WG_SIZE, ...
// (strided, so the loads of one data point coalesce) in registers: OWN = ceil(DIM4 / WG_SIZE)
// blocks of x and of the weighted sum (loops unrolled up to the composer's limit), instead of the
// d-long private arrays that a thread-per-point kernel spills at d in the hundreds.
//   s_t(x) = (m x0hat - x) / sigma^2,   x0hat = sum_i softmax_i(-|x - m x_i|^2 / (2 sigma^2)) x_i.
// The data stream through in tiles of TILE points:
//   1. every invocation writes its partial squared distance to each of the tile's points, over
//      the blocks it owns, to partials (workgroup memory); barrier;
//   2. invocation q sums point q's WG_SIZE partials into its logit -|x - m x_q|^2 / (2 sigma^2),
//      logits[buf + q]; barrier;
//   3. every invocation folds the TILE logits into its running max and running sum (the same values
//      in all of them; one rescale per tile, at the tile's max) and adds w_q x_q to its blocks.
// logits is double-buffered (tile k uses half k % 2): tile k+1 writes it after its first barrier,
// which every invocation reaches only after its step 3 of tile k, so two barriers per tile suffice.
// Each point has its own time (t, m, sig2). Writes x0hat (OUT_X0) or the score.
// Defines: DIM, NPOINTS, TILE, WG_SIZE, OWN (= ceil(DIM4 / WG_SIZE)), OUT_X0.

const DIM: u32 = ${DIM}u;
const DIM4: u32 = (DIM + 3u) / 4u;
const NPOINTS: u32 = ${NPOINTS}u;
const TILE: u32 = ${TILE}u;
const WG_SIZE: u32 = ${WG_SIZE}u;
const OWN: u32 = ${OWN}u;

struct Batch {
  count: u32,
  // workgroups per row of the dispatch grid
  row_stride: u32,
  // workgroups dispatched: workgroup g scores points g, g + groups, ...
  groups: u32,
}

@group(0) @binding(0) var<uniform> batch: Batch;
// the time of each point: (t, m, sig2, 0)
@group(0) @binding(1) var<storage, read> times: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
// point i at data[i * DIM4 ..], zero-padded to DIM4 vec4s
@group(0) @binding(3) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

// partial squared distances, partials[l * TILE + q] = invocation l's share of |x - m x_q|^2
var<workgroup> partials: array<f32, WG_SIZE * TILE>;
var<workgroup> logits: array<f32, 2u * TILE>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var buf = 0u;
  // p is uniform per workgroup (workgroup id and a uniform), so the barriers below are in uniform control flow
  for (var p = wid.x + wid.y * batch.row_stride; p < batch.count; p += batch.groups) {
    // the coordinates this invocation owns: vec4 blocks b = lid + k WG_SIZE
    var x: array<vec4<f32>, OWN>;
    for (var k = 0u; k < OWN; k++) { // unroll
      let b = lid + k * WG_SIZE;
      var v = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) {
        if (4u * b + e < DIM) { v[e] = points[p * DIM + 4u * b + e]; }
      }
      x[k] = v;
    }
    let tm = times[p];
    let m = tm.y;
    let inv2s = 0.5 / tm.z;
    var acc: array<vec4<f32>, OWN>;
    var run_max = -3.0e38;
    var run_sum = 0.0;
    for (var first = 0u; first < NPOINTS; first += TILE) {
      let n = min(TILE, NPOINTS - first);
      // 1. partial squared distances over the owned coordinates (padding blocks read as zeros)
      for (var q = 0u; q < n; q++) {
        let base = (first + q) * DIM4 + lid;
        var dist = 0.0;
        for (var k = 0u; k < OWN; k++) { // unroll
          if (lid + k * WG_SIZE < DIM4) {
            let v = x[k] - m * data[base + k * WG_SIZE];
            dist += dot(v, v);
          }
        }
        partials[lid * TILE + q] = dist;
      }
      workgroupBarrier();
      // 2. the logits: point q's partials summed by one invocation
      for (var q = lid; q < n; q += WG_SIZE) {
        var dist = 0.0;
        for (var l = 0u; l < WG_SIZE; l++) { dist += partials[l * TILE + q]; }
        logits[buf + q] = -dist * inv2s;
      }
      workgroupBarrier();
      // 3. online log-sum-exp over the tile: one rescale per tile, at the tile's max
      var tmax = run_max;
      for (var q = 0u; q < n; q++) { tmax = max(tmax, logits[buf + q]); }
      let rescale = exp(run_max - tmax);
      run_sum *= rescale;
      for (var k = 0u; k < OWN; k++) { // unroll
        acc[k] *= rescale; }
      run_max = tmax;
      for (var q = 0u; q < n; q++) {
        let w = exp(logits[buf + q] - tmax);
        if (w > 1.0e-12) {
          run_sum += w;
          let base = (first + q) * DIM4 + lid;
          for (var k = 0u; k < OWN; k++) { // unroll
            if (lid + k * WG_SIZE < DIM4) { acc[k] += w * data[base + k * WG_SIZE]; }
          }
        }
      }
      buf = TILE - buf;
    }
    let inv = 1.0 / run_sum;
    let inv_s = 1.0 / tm.z;
    for (var k = 0u; k < OWN; k++) { // unroll
      let b = lid + k * WG_SIZE;
      if (b < DIM4) {
#if ${OUT_X0}
        let s = acc[k] * inv;
#else
        let s = (m * acc[k] * inv - x[k]) * inv_s;
#endif
        for (var e = 0u; e < 4u; e++) {
          if (4u * b + e < DIM) { scores[p * DIM + 4u * b + e] = s[e]; }
        }
      }
    }
  }
}
