// Parallel randomized midpoint in data-prediction form (Gupta, Cai, Chen 2024, parallel predictor,
// after Shen and Lee 2019; ALGORITHMS.md 3.5 in the (I-x0) form of 3.7, stable per section 10.1).
// With y = x / sigma and E = e^lambda = m / sigma, the probability-flow ODE is dy/dE = x0hat, so over a
// window [a, b] split into R sub-intervals [E_{i-1}, E_i] (uniform in lambda) with one uniform midpoint
// E_mid_i = E_{i-1} + U_i (E_i - E_{i-1}) each (U_i per particle, frozen across Picard rounds):
//   round 0:  y_i = y_a + (E_mid_i - E_a) g_a                                    (DDIM from a)
//   round k:  y_i = y_a + sum_{j<i} (E_j - E_{j-1}) g_j + (E_mid_i - E_{i-1}) g_i  (g from round k-1)
//   end:      y_b = y_a + sum_i (E_i - E_{i-1}) g_i                              (g from the last round)
// with g_i = x0hat(sigma_mid_i y_i, t_mid_i). All R evaluations of a round are one dispatch (LANES = R);
// each lane forms its own prefix sum over the lanes before it.
// Kernels (defines): PM_START (1 lane): g_a = x0hat(x_a); PM_ROUND (R lanes); otherwise the window end (1 lane).
// Row: c0 = (E_a, dlambda, expm1(dlambda), 1 / sigma_a), c1 = TimeParams(t_a), c2 = (sigma_b, 0, 0, 0);
// flags: bit 0 = round 0, bit 1 = read parity, bits 4.. = window index (keys U_i).
#include "sampler-common"

const R: u32 = ${PM_WIDTH}u;

@group(0) @binding(3) var<storage, read_write> ga: array<f32>;
@group(0) @binding(4) var<storage, read_write> gbuf: array<f32>;

fn g_index(i: u32, parity: u32, lane: u32) -> u32 {
  return ((i * 2u + parity) * R + lane) * DIM;
}

fn load_vec(buf_base: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    var w = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { w[e] = gbuf[buf_base + 4u * b + e]; }
    }
    (*v)[b] = w;
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
  var x: Vec;
  load_state(i, &x);
  var unused: Vec;
  var g: Vec;
  let e_a = st.c0.x;
#if ${PM_START}
  {
    model_eval(&x, time_params(st.c1), &unused, &g);
    for (var b = 0u; b < DIM4; b++) { // unroll
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM) { ga[i * DIM + 4u * b + e] = g[b][e]; }
      }
    }
    return;
  }
#else
  let window = st.flags >> 4u;
  let em1 = st.c0.z;
  var acc: Vec;  // y_a + the sum of the full sub-intervals before this lane
  for (var b = 0u; b < DIM4; b++) { acc[b] = x[b] * st.c0.w; }
#if ${PM_ROUND}
  {
    let first = (st.flags & 1u) != 0u;
    let rp = (st.flags >> 1u) & 1u;
    let wp = select(1u - rp, 0u, first);
    let u = philox_uniform4(run.key, particle, window, STREAM_SCALAR, lane / 4u)[lane % 4u];
    let e_lo = e_a * exp(f32(lane) * st.c0.y);
    let e_mid = e_lo + u * e_lo * em1;
    var y: Vec;
    if (first) {
      var g0: Vec;
      for (var b = 0u; b < DIM4; b++) { // unroll
        var w = vec4<f32>(0.0);
        for (var e = 0u; e < 4u; e++) { // unroll
          if (4u * b + e < DIM) { w[e] = ga[i * DIM + 4u * b + e]; }
        }
        g0[b] = w;
      }
      for (var b = 0u; b < DIM4; b++) { y[b] = acc[b] + (e_mid - e_a) * g0[b]; }
    } else {
      for (var j = 0u; j < lane; j++) {
        let dj = e_a * exp(f32(j) * st.c0.y) * em1;
        load_vec(g_index(i, rp, j), &g);
        for (var b = 0u; b < DIM4; b++) { acc[b] += dj * g[b]; }
      }
      load_vec(g_index(i, rp, lane), &g);
      for (var b = 0u; b < DIM4; b++) { y[b] = acc[b] + (e_mid - e_lo) * g[b]; }
    }
    // midpoint time from E: m = E / sqrt(1 + E^2), sigma^2 = 1 / (1 + E^2)
    let q = 1.0 / (1.0 + e_mid * e_mid);
    let yy = 1.0 / (e_mid * e_mid);
    let t_mid = select(0.5 * log(1.0 + yy), 0.5 * yy * (1.0 - yy * (0.5 - yy / 3.0)), yy < 1e-2);
    let sig_mid = sqrt(q);
    var xm: Vec;
    for (var b = 0u; b < DIM4; b++) { xm[b] = sig_mid * y[b]; }
    model_eval(&xm, TimeParams(t_mid, e_mid * sig_mid, q), &unused, &g);
    let out = g_index(i, wp, lane);
    for (var b = 0u; b < DIM4; b++) { // unroll
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM) { gbuf[out + 4u * b + e] = g[b][e]; }
      }
    }
  }
#else
  // KERNEL 2: end of the window
  let rp = (st.flags >> 1u) & 1u;
  for (var j = 0u; j < R; j++) {
    let dj = e_a * exp(f32(j) * st.c0.y) * em1;
    load_vec(g_index(i, rp, j), &g);
    for (var b = 0u; b < DIM4; b++) { acc[b] += dj * g[b]; }
  }
  for (var b = 0u; b < DIM4; b++) { x[b] = st.c2.x * acc[b]; }
  store_state(i, &x);
#endif
#endif
}
