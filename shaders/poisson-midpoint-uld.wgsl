// Poisson midpoint method on the underdamped Langevin chain (src/samplers/poisson-midpoint-uld.ts;
// equations in src/math/poisson-midpoint-uld.ts, ALGORITHMS.md 6.2 with the EI-ULMC operators of 3.3).
// State (x, v): x in xs, v in pvel. One coarse step in three phases:
//   PHASE 0 (START, per particle): on the first block v ~ N(0, I) -> pvel; s_0 = s(x_0, t_0) -> pstate;
//            draw the active i (1..K-1, geometric gaps); reserve a contiguous block of the compacted list with one atomicAdd
//            and write its (particle, i) pairs.
//   PHASE 1 (MID, CAP_LANES invocations per particle): list entry j < count: advance the shared path
//            N = (Nx, Nv) to its index i, x+_i = x_0 + tau_i (x_0 + s_0) + phi_i v_0 + psi_i s_0 + Nx_i,
//            pmid[j] = s(x+_i, t_i) - s_0.
//   PHASE 2 (FINISH, per particle): (x_K, v_K) = A_{tau_K} X_0 + G_{tau_K} b_0 + N(tau_K) + the sum over
//            its entries, in index order, of w A_{r_i} G_{l_i} (b(x+_i) - b_0):
//            dx += gF (x+_i - x_0 + ds) + gxs ds, dv += gvs ds (entries that did not fit the list are
//            evaluated here); resets the count.
// The path advances over a segment of length l with the pair of 3.3 from two normals per coordinate,
// keyed by the segment's end index (streams STEP_NOISE2 and STEP_NOISE, blocks end * DIM4 ..):
//   Nx <- Nx + phi(l) Nv + nx1 z1 + nx2 z2,  Nv <- e^{-gamma l} Nv + nv1 z1 + nv2 z2.
// Row: c0 = (t_0, m_0, sig2_0, K), c1 = (thr, gamma, first block, tau_K), c2 = (phi_K, cs_K, decay_K, -).
// table (binding 3): word 0 = list count; words 1-2 = midpoint evaluations of the run so far (64-bit);
// block b = st.step - 1, fine index i at 16 + (b (K - 1) + i - 1) * 10: t, m, sig2, tau, phi, cs, gF, gxs, gvs, T_i (gap threshold, an integer in f32;
// the same in every block, read from block 0).
#include "sampler-common"
#include "ulmc-common"

const PMM_STRIDE: u32 = 10u; // floats per fine index in the table
#include "poisson-midpoint-gaps"
@group(0) @binding(4) var<storage, read_write> pstate: array<f32>;
@group(0) @binding(5) var<storage, read_write> plist: array<u32>;
@group(0) @binding(6) var<storage, read_write> pmid: array<f32>;
@group(0) @binding(7) var<storage, read_write> pvel: array<f32>;

const CAP_LANES: u32 = ${CAP_LANES}u;

fn load_vel(i: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    var a = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { a[e] = pvel[i * DIM + 4u * b + e]; }
    }
    (*v)[b] = a;
  }
}

fn store_vel(i: u32, v: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { pvel[i * DIM + 4u * b + e] = (*v)[b][e]; }
    }
  }
}

#if ${PHASE_LATER}
fn tab(i: u32, k: u32) -> f32 {
  return bitcast<f32>(table[16u + ((st.step - 1u) * (u32(st.c0.w) - 1u) + i - 1u) * PMM_STRIDE + k]);
}

fn load_s0(i: u32, f: ptr<function, Vec>) {
  let base = i * (DIM + 1u);
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = pstate[base + 4u * b + e]; }
    }
    (*f)[b] = v;
  }
}

// N <- A_l N + the segment's own integral, segment of length l ending at fine index seg_end.
fn path_advance(pg: u32, seg_end: u32, l: f32, nx: ptr<function, Vec>, nv: ptr<function, Vec>) {
  if (l <= 0.0) { return; }
  let gamma = st.c1.y;
  let phi = ulmc_phi(gamma, l);
  let dec = exp(-gamma * l);
  let sq = sqrt(l);
  let sg = sqrt(2.0 * gamma);
  let res = sqrt(ulmc_pair_residual(gamma, l));
  let nx1 = (sg / gamma) * (ulmc_l_minus_phi(gamma, l) / sq);
  let nx2 = -(sg / gamma) * res;
  let nv1 = sg * phi / sq;
  let nv2 = sg * res;
  // not unrolled: DIM4 inlined Philox blocks inside the callers' loops make shader compilation
  // on SwiftShader explode for d = 64
  for (var b = 0u; b < DIM4; b++) {
    var z1 = philox_normal4(run.key, pg, st.step, STREAM_STEP_NOISE2, seg_end * DIM4 + b);
    var z2 = philox_normal4(run.key, pg, st.step, STREAM_STEP_NOISE, seg_end * DIM4 + b);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e >= DIM) { z1[e] = 0.0; z2[e] = 0.0; }
    }
    (*nx)[b] += phi * (*nv)[b] + nx1 * z1 + nx2 * z2;
    (*nv)[b] = dec * (*nv)[b] + nv1 * z1 + nv2 * z2;
  }
}

// x+_i - x_0 = tau_i (x_0 + s_0) + phi_i v_0 + psi_i s_0 + Nx_i (cs = tau + psi).
fn midpoint_shift(ii: u32, x0: ptr<function, Vec>, v0: ptr<function, Vec>, s0: ptr<function, Vec>, nx: ptr<function, Vec>, sh: ptr<function, Vec>) {
  let tau = tab(ii, 3u);
  let phi = tab(ii, 4u);
  let cs = tab(ii, 5u);
  for (var b = 0u; b < DIM4; b++) { // unroll
    (*sh)[b] = tau * (*x0)[b] + phi * (*v0)[b] + cs * (*s0)[b] + (*nx)[b]; }
}

// ds = s(x_0 + sh, t_i) - s_0.
fn midpoint_ds(ii: u32, x0: ptr<function, Vec>, s0: ptr<function, Vec>, sh: ptr<function, Vec>, ds: ptr<function, Vec>) {
  var xp: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    xp[b] = (*x0)[b] + (*sh)[b]; }
  var s: Vec;
  var unused: Vec;
  model_eval(&xp, TimeParams(tab(ii, 0u), tab(ii, 1u), tab(ii, 2u)), &s, &unused);
  for (var b = 0u; b < DIM4; b++) { // unroll
    (*ds)[b] = s[b] - (*s0)[b]; }
}
#endif

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  model_prepare(lid);
  let idx = particle_index(gid);
  let kk = u32(st.c0.w);
  let cap = CAP_LANES * run.count;
#if ${PHASE_START}
  let i = idx;
  if (i >= run.count) { return; }
  let pg = run.offset + i;
  if (st.c1.z > 0.5 && staged_commit()) {
    var v: Vec;
    normals_rolled(pg, 0u, STREAM_STEP_NOISE, &v);
    store_vel(i, &v);
  }
  var x: Vec;
  load_state(i, &x);
  var s0: Vec;
  var unused: Vec;
  model_eval(&x, time_params(st.c0), &s0, &unused);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let base = i * (DIM + 1u);
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { pstate[base + 4u * b + e] = s0[b][e]; }
    }
  }
  let slot = pmm_reserve(i, pg, kk, cap);
  pstate[base + DIM] = bitcast<f32>(slot);
#else
#if ${PHASE_MID}
  let j = idx;
  if (j >= min(table[0], cap)) { return; }
  let i = plist[2u * j];
  let target_ii = plist[2u * j + 1u];
#else
  let i = idx;
  if (i >= run.count) { return; }
  let slot = bitcast<u32>(pstate[i * (DIM + 1u) + DIM]);
  let target_ii = kk;
  var ax: Vec;
  var av: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    ax[b] = vec4<f32>(0.0);
    av[b] = vec4<f32>(0.0);
  }
#endif
  var x0: Vec;
  load_state(i, &x0);
  var v0: Vec;
  load_vel(i, &v0);
  var s0: Vec;
  load_s0(i, &s0);
  let pg = run.offset + i;
  var nx: Vec;
  var nv: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    nx[b] = vec4<f32>(0.0);
    nv[b] = vec4<f32>(0.0);
  }
  var tau_prev = 0.0;
  var m = 0u;
  var draws = pmm_draws();
  var sh: Vec;
  var ds: Vec;
  // the active indices up to the target (MID) or all of them (FINISH), in order
  for (var ii = pmm_next(pg, 0u, kk, &draws); ii < kk && ii <= target_ii; ii = pmm_next(pg, ii, kk, &draws)) {
    {
      let tau_i = tab(ii, 3u);
      path_advance(pg, ii, tau_i - tau_prev, &nx, &nv);
      tau_prev = tau_i;
#if ${PHASE_FINISH}
      midpoint_shift(ii, &x0, &v0, &s0, &nx, &sh);
      let jj = slot + m;
      if (jj < cap) {
        for (var b = 0u; b < DIM4; b++) { // unroll
          var a = vec4<f32>(0.0);
          for (var e2 = 0u; e2 < 4u; e2++) { // unroll
            if (4u * b + e2 < DIM) { a[e2] = pmid[jj * DIM + 4u * b + e2]; }
          }
          ds[b] = a;
        }
      } else {
        midpoint_ds(ii, &x0, &s0, &sh, &ds);
      }
      let gf = tab(ii, 6u);
      let gxs = tab(ii, 7u);
      let gvs = tab(ii, 8u);
      for (var b = 0u; b < DIM4; b++) { // unroll
        ax[b] += gf * (sh[b] + ds[b]) + gxs * ds[b];
        av[b] += gvs * ds[b];
      }
#endif
      m++;
    }
  }
#if ${PHASE_MID}
  midpoint_shift(target_ii, &x0, &v0, &s0, &nx, &sh);
  midpoint_ds(target_ii, &x0, &s0, &sh, &ds);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { pmid[j * DIM + 4u * b + e] = ds[b][e]; }
    }
  }
#else
  let tau_k = st.c1.w;
  path_advance(pg, kk, tau_k - tau_prev, &nx, &nv);
  let phi_k = st.c2.x;
  let cs_k = st.c2.y;
  let dec_k = st.c2.z;
  var xk: Vec;
  var vk: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    xk[b] = x0[b] + tau_k * x0[b] + phi_k * v0[b] + cs_k * s0[b] + ax[b] + nx[b];
    vk[b] = dec_k * v0[b] + phi_k * s0[b] + av[b] + nv[b];
  }
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  store_state(i, &xk);
  store_vel(i, &vk);
  if (i == 0u) { table[0] = 0u; }
#endif
#endif
}
