// Parallel underdamped Langevin corrector at a fixed time t* (ALGORITHMS.md 3.5, "parallel
// corrector", after Anari, Chewi and Vuong 2024): M exponential-integrator ULMC steps of size eta
// (the same step as shaders/ulmc-corrector.wgsl) solved by Picard rounds instead of one after the
// other. The velocity v_0 and the Brownian increments (xi_x, xi_v)_j are fixed across rounds.
// Unrolling the EI-ULMC recursion, position m is the drift-free path plus a weighted sum of the
// scores before it:
//   x_m = xfree_m + sum_{j<m} w_{m-1-j} g_j,   w_q = ((eta - phi) + phi (1 - e^{-q gamma eta})) / gamma,
//   xfree_{j+1} = xfree_j + phi vfree_j + xi_x,j,  vfree_{j+1} = e^{-gamma eta} vfree_j + xi_v,j,
// so one round evaluates g_m = s(x_m, t*) for all m = 0 .. M-1 at once (LANES = M), from the g of the
// previous round (zero before the first), and the end sets x = x_M. With M rounds this is exactly the
// sequential chain on the same noise.
// Kernels (defines): PU_START (1 lane) writes xfree_0 .. xfree_M; PU_ROUND (M lanes); otherwise the end.
// Row: as the sequential corrector: c0 = (gamma, eta, e^{-gamma eta}, phi), c1 = TimeParams(t*),
//      c2 = ((eta - phi)/gamma, nx1, nx2, nv1), c3 = (nv2, ..).
// flags: bit 0 = first round (g = 0), bit 1 = read parity, bits 4.. = the step that keys the noise.
#include "sampler-common"
#include "ulmc-common"

const M: u32 = ${PU_STEPS}u;

@group(0) @binding(${PU_BINDING}) var<storage, read_write> cfree: array<f32>;
@group(0) @binding(${PU_BINDING2}) var<storage, read_write> cg: array<f32>;

fn free_index(i: u32, m: u32) -> u32 {
  return (i * (M + 1u) + m) * DIM;
}

fn g_index(i: u32, parity: u32, m: u32) -> u32 {
  return ((i * 2u + parity) * M + m) * DIM;
}

fn load_from(buf_is_free: bool, base: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    var w = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) {
        if (buf_is_free) { w[e] = cfree[base + 4u * b + e]; } else { w[e] = cg[base + 4u * b + e]; }
      }
    }
    (*v)[b] = w;
  }
}

// x += sum_{j<m} w_{m-1-j} g_j (parity rp)
fn add_scores(i: u32, rp: u32, m: u32, x: ptr<function, Vec>) {
  let gamma = st.c0.x;
  let eta = st.c0.y;
  let phi = st.c0.w;
  var g: Vec;
  for (var j = 0u; j < m; j++) {
    let q = f32(m - 1u - j);
    let w = st.c2.x + phi * (-expm1f(-gamma * eta * q)) / gamma;
    load_from(false, g_index(i, rp, j), &g);
    for (var b = 0u; b < DIM4; b++) { (*x)[b] += w * g[b]; }
  }
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let inv = particle_index(gid);
  if (inv >= run.count * LANES) { return; }
  let i = inv / LANES;
  let lane = inv % LANES;
  let particle = run.offset + i;
  let key_step = st.flags >> 4u;
  var x: Vec;
#if ${PU_START}
  load_state(i, &x);
  var v: Vec;
  normals(particle, key_step, STREAM_STEP_NOISE, &v);
  var z1: Vec;
  var z2: Vec;
  let phi = st.c0.w;
  let decay = st.c0.z;
  for (var m = 0u; m <= M; m++) {
    let base = free_index(i, m);
    for (var b = 0u; b < DIM4; b++) { // unroll
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM) { cfree[base + 4u * b + e] = x[b][e]; }
      }
    }
    if (m == M) { break; }
    normals_rolled(particle, key_step, STREAM_CORRECTOR + 4u * m, &z1);
    normals_rolled(particle, key_step, STREAM_CORRECTOR + 4u * m + 1u, &z2);
    for (var b = 0u; b < DIM4; b++) {
      x[b] = x[b] + phi * v[b] + st.c2.y * z1[b] + st.c2.z * z2[b];
      v[b] = decay * v[b] + st.c2.w * z1[b] + st.c3.x * z2[b];
    }
  }
#else
  let rp = (st.flags >> 1u) & 1u;
#if ${PU_ROUND}
  let first = (st.flags & 1u) != 0u;
  let wp = select(1u - rp, 0u, first);
  load_from(true, free_index(i, lane), &x);
  if (!first) { add_scores(i, rp, lane, &x); }
  var g: Vec;
  var unused: Vec;
  model_eval(&x, time_params(st.c1), &g, &unused);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let out = g_index(i, wp, lane);
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { cg[out + 4u * b + e] = g[b][e]; }
    }
  }
#else
  load_from(true, free_index(i, M), &x);
  add_scores(i, rp, M, &x);
  store_state(i, &x);
#endif
#endif
}
