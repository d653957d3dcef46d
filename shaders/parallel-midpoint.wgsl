// Parallel randomized midpoint in data-prediction form (Gupta, Cai, Chen 2024, parallel predictor,
// after Shen and Lee 2019; ALGORITHMS.md 3.5 in the (I-x0) form of 3.7, stable per section 10.1).
// With y = x / sigma and E = e^lambda = m / sigma, the probability-flow ODE is dy/dE = x0hat, so over a
// window [a, b] split into R sub-intervals [E_{i-1}, E_i] (uniform in lambda) with one uniform midpoint
// E_mid_i = E_{i-1} + U_i (E_i - E_{i-1}) each (U_i per particle, frozen across Picard rounds):
//   round 0:  y_i = y_a + (E_mid_i - E_a) g_a                                    (DDIM from a)
//   round k:  y_i = S_i + (E_mid_i - E_{i-1}) g_i,  S_i = y_a + sum_{j<i} (E_j - E_{j-1}) g_j  (g from round k-1)
//   end:      y_b = S_R                                                          (g from the last round)
// with g_i = x0hat(sigma_mid_i y_i, t_mid_i). All R evaluations of a round are one dispatch (LANES = R).
// The prefix sums S_0 .. S_R are an exclusive scan over the lanes, run on the GPU between rounds by
// its own dispatch with one invocation per (particle, 4 coordinates): O(R d) work per particle
// instead of O(R^2 d) if each lane summed the lanes before it.
// Gaussian reference (ref-variance c > 0, src/samplers/parallel-midpoint.ts `gaussRef`): the same scheme
// in z = y / sqrt(1 + c E^2) and u = asinh(sqrt(c) E) / sqrt(c), integrating the residual
// r = x0hat - c E z / sqrt(1 + c E^2); the sub-interval widths W_j and the midpoints are uniform in u.
// c = 0 gives z = y, u = E, r = x0hat: the plain scheme above.
// Kernels (defines): PM_START (1 lane): r_a = x0hat(x_a) - gain_a z_a; PM_ROUND (R lanes); PM_SCAN (DIM4 lanes).
// Row: c0 = (E_a, dlambda, expm1(dlambda), z_a / x_a), c1 = TimeParams(t_a), c2 = (x_b / z_b, c, sqrt(c), gain_a);
// flags: bit 0 = round 0, bit 1 = read parity, bit 2 = final scan (writes x_b, leaves the last residual in ga),
// bit 3 = free start (round 0 without a start evaluation: r_a = 0 in window 1, else ga), bits 4.. = window index (keys U_i).
#include "sampler-common"

const R: u32 = ${PM_WIDTH}u;

@group(0) @binding(3) var<storage, read_write> ga: array<f32>;
@group(0) @binding(4) var<storage, read_write> gbuf: array<f32>;
@group(0) @binding(5) var<storage, read_write> gpre: array<f32>;

fn g_index(i: u32, parity: u32, lane: u32) -> u32 {
  return ((i * 2u + parity) * R + lane) * DIM;
}

fn pre_index(i: u32, lane: u32) -> u32 {
  return (i * (R + 1u) + lane) * DIM;
}

// asinh and sinh without the cancellation of their log / exp forms at small arguments
fn asinh_s(x: f32) -> f32 {
  let x2 = x * x;
  return select(sign(x) * log(abs(x) + sqrt(x2 + 1.0)), x * (1.0 - x2 * (1.0 / 6.0 - x2 * (3.0 / 40.0))), abs(x) < 1e-2);
}

fn sinh_s(x: f32) -> f32 {
  return select(sinh(x), x * (1.0 + x * x * (1.0 / 6.0)), abs(x) < 1e-2);
}

// F(E_lo + de) - F(E_lo), F(E) = asinh(sqrt(c) E) / sqrt(c) (= de when c = 0)
fn ref_width(e_lo: f32, de: f32) -> f32 {
  let c = st.c2.y;
  let q = st.c2.z;
  if (c == 0.0) { return de; }
  let x1 = q * e_lo;
  let x2 = q * (e_lo + de);
  return asinh_s(q * de * (x1 + x2) / (x2 * sqrt(1.0 + x1 * x1) + x1 * sqrt(1.0 + x2 * x2))) / q;
}

// E with F(E) = F(E_lo) + w
fn ref_inverse(e_lo: f32, w: f32) -> f32 {
  let c = st.c2.y;
  let q = st.c2.z;
  if (c == 0.0) { return e_lo + w; }
  return e_lo * cosh(q * w) + sqrt(1.0 + c * e_lo * e_lo) * sinh_s(q * w) / q;
}

fn load_block(from_pre: bool, base: u32, b: u32) -> vec4<f32> {
  var w = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) {
      if (from_pre) { w[e] = gpre[base + 4u * b + e]; } else { w[e] = gbuf[base + 4u * b + e]; }
    }
  }
  return w;
}

fn load_vec(from_pre: bool, base: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    (*v)[b] = load_block(from_pre, base, b);
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
  let e_a = st.c0.x;
  let em1 = st.c0.z;
  let rp = (st.flags >> 1u) & 1u;
#if ${PM_START}
  var x: Vec;
  load_state(i, &x);
  var unused: Vec;
  var g: Vec;
  model_eval(&x, time_params(st.c1), &unused, &g);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let k_a = st.c2.w * st.c0.w;
  for (var b = 0u; b < DIM4; b++) { // unroll
    let r = g[b] - k_a * x[b];
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { ga[i * DIM + 4u * b + e] = r[e]; }
    }
  }
#elif ${PM_ROUND}
  let window = st.flags >> 4u;
  let first = (st.flags & 1u) != 0u;
  let wp = select(1u - rp, 0u, first);
  let u = philox_uniform4(run.key, particle, window, STREAM_SCALAR, lane / 4u)[lane % 4u];
  let e_lo = e_a * exp(f32(lane) * st.c0.y);
  let partial = u * ref_width(e_lo, e_lo * em1);
  let e_mid = ref_inverse(e_lo, partial);
  var y: Vec; // z until the midpoint state is formed
  var g: Vec;
  if (first) {
    var x: Vec;
    load_state(i, &x);
    let wa = ref_width(e_a, e_mid - e_a);
    let zero_start = (st.flags & 8u) != 0u && window == 1u;
    for (var b = 0u; b < DIM4; b++) { // unroll
      var w = vec4<f32>(0.0);
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM && !zero_start) { w[e] = ga[i * DIM + 4u * b + e]; }
      }
      y[b] = x[b] * st.c0.w + wa * w;
    }
  } else {
    load_vec(true, pre_index(i, lane), &y);
    load_vec(false, g_index(i, rp, lane), &g);
    for (var b = 0u; b < DIM4; b++) { y[b] += partial * g[b]; }
  }
  let ce = st.c2.y * e_mid;
  let ch = sqrt(1.0 + ce * e_mid);
  let gain = ce / ch;
  // midpoint time from E: m = E / sqrt(1 + E^2), sigma^2 = 1 / (1 + E^2)
  let q = 1.0 / (1.0 + e_mid * e_mid);
  let yy = 1.0 / (e_mid * e_mid);
  let t_mid = select(0.5 * log(1.0 + yy), 0.5 * yy * (1.0 - yy * (0.5 - yy / 3.0)), yy < 1e-2);
  let sig_mid = sqrt(q);
  var xm: Vec;
  for (var b = 0u; b < DIM4; b++) { xm[b] = sig_mid * ch * y[b]; }
  var unused: Vec;
  model_eval(&xm, TimeParams(t_mid, e_mid * sig_mid, q), &unused, &g);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let out = g_index(i, wp, lane);
  for (var b = 0u; b < DIM4; b++) { // unroll
    let r = g[b] - gain * y[b];
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { gbuf[out + 4u * b + e] = r[e]; }
    }
  }
#else
  // PM_SCAN: lane = coordinate block b; S_0 = z_a, S_{j+1} = S_j + W_j r_j
  let b = lane;
  let base = i * DIM + 4u * b;
  var acc = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { acc[e] = xs[base + e] * st.c0.w; }
  }
  let final_scan = (st.flags & 4u) != 0u;
  for (var j = 0u; j < R; j++) {
    if (!final_scan) {
      for (var e = 0u; e < 4u; e++) { // unroll
        if (4u * b + e < DIM) { gpre[pre_index(i, j) + 4u * b + e] = acc[e]; }
      }
    }
    let e_j = e_a * exp(f32(j) * st.c0.y);
    let dj = ref_width(e_j, e_j * em1);
    acc += dj * load_block(false, g_index(i, rp, j), b);
  }
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) {
      if (final_scan) {
        xs[base + e] = st.c2.x * acc[e];
        ga[base + e] = gbuf[g_index(i, rp, R - 1u) + 4u * b + e]; // r_a of the next window under start=free
      } else {
        gpre[pre_index(i, R) + 4u * b + e] = acc[e];
      }
    }
  }
#endif
}
