// High-order Lagrange sampler (src/samplers/heroism.ts; ALGORITHMS.md 4.3 [R], data-prediction form).
// Per particle, `nodes` holds two halves of NODES node values g_j (x0hat at the interval's nodes):
// half h, node j at ((i * 2 + h) * NODES + j) * DIM. xs holds x_t for the whole interval.
//
// PHASE_PASS = false (advance, one invocation per particle), flags bit 0: combine the previous
// interval, x = a_end x + sum_j C_end_j g_j from half (bit 2); bit 1: evaluate g_0 = x0hat(x, t)
// (time in st.c0.xyz) and store it as every node of half 0 and node 0 of half 1.
// st.c0.w = a_end, st.c1 .. st.c3 = C_end_j (j = 0 .. NODES-1).
//
// PHASE_PASS = true (one refinement pass, NODES - 1 lanes per particle): lane l is node i = l + 1,
//   x_i = a_i x_t + sum_j C_ij g_j (g from half r = flags bit 0),  g_i = x0hat(x_i, t_i) -> half 1 - r.
// The pass coefficients come from `table` (node i at (i - 1) * (4 + NODES): a_i, t_i, m_i, sig2_i, C_i0 ..).
#include "sampler-common"

@group(0) @binding(3) var<storage, read_write> table: array<f32>;
@group(0) @binding(4) var<storage, read_write> nodes: array<f32>;

const NODES: u32 = ${NODES}u;

fn node_base(i: u32, h: u32, j: u32) -> u32 {
  return ((i * 2u + h) * NODES + j) * DIM;
}

fn load_node(base: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    var w = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { w[e] = nodes[base + 4u * b + e]; }
    }
    (*v)[b] = w;
  }
}

fn store_node(base: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { nodes[base + 4u * b + e] = (*v)[b][e]; }
    }
  }
}

fn row_coeff(k: u32) -> f32 {
  if (k < 4u) { return st.c0[k]; }
  if (k < 8u) { return st.c1[k - 4u]; }
  if (k < 12u) { return st.c2[k - 8u]; }
  return st.c3[k - 12u];
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let idx = particle_index(gid);
  let i = idx / LANES;
  if (i >= run.count) { return; }
  var x: Vec;
  load_state(i, &x);
  var g: Vec;
  var unused: Vec;
#if ${PHASE_PASS}
  let node = idx % LANES + 1u;
  let r = st.flags & 1u;
  let o = (node - 1u) * (4u + NODES);
  let a = table[o];
  let tp = TimeParams(table[o + 1u], table[o + 2u], table[o + 3u]);
  var xi: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    xi[b] = a * x[b]; }
  for (var j = 0u; j < NODES; j++) { // unroll
    let c = table[o + 4u + j];
    load_node(node_base(i, r, j), &g);
    for (var b = 0u; b < DIM4; b++) { // unroll
      xi[b] += c * g[b]; }
  }
  model_eval(&xi, tp, &unused, &g);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  store_node(node_base(i, 1u - r, node), &g);
#else
  if ((st.flags & 1u) != 0u) {
    let h = select(0u, 1u, (st.flags & 4u) != 0u);
    let a = st.c0.w;
    for (var b = 0u; b < DIM4; b++) { // unroll
      x[b] = a * x[b]; }
    for (var j = 0u; j < NODES; j++) { // unroll
      let c = row_coeff(4u + j);
      load_node(node_base(i, h, j), &g);
      for (var b = 0u; b < DIM4; b++) { // unroll
        x[b] += c * g[b]; }
    }
    store_state(i, &x);
  }
  if ((st.flags & 2u) != 0u) {
    model_eval(&x, time_params(st.c0), &unused, &g);
    if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
    for (var j = 0u; j < NODES; j++) { // unroll
      store_node(node_base(i, 0u, j), &g); }
    store_node(node_base(i, 1u, 0u), &g);
  }
#endif
}
