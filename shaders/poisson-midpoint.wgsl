// Poisson midpoint method, one coarse step in three phases (src/samplers/poisson-midpoint.ts):
//   PHASE 0 (START, per particle): F_0 = F(X_0, t_0) -> pstate; draw the active i (1..K-1); reserve a
//            contiguous block of the compacted list with one atomicAdd and write its (particle, i) pairs.
//   PHASE 1 (MID, CAP_LANES invocations per particle): list entry j < count: rebuild X+_i of its
//            particle and write g_i (F(X+_i, t_i) - F_0) to pmid[j].
//   PHASE 2 (FINISH, per particle): X_K = alpha_K X_0 + beta_K F_0 + sum of its entries (in index
//            order; entries that did not fit the list are evaluated here) + A_K S(c_K); resets the count.
// F = x0hat (DDPM chain) or x + 2 s (FIELD_DRIFT, overdamped chain). S is one Brownian path on the
// clock c: it jumps by sqrt(c_i - c_prev) xi at each active index and at K, xi keyed by the
// segment's end index (stream STREAM_STEP_NOISE2, blocks end * DIM4 ..). The active indices come as
// geometric gaps from the particle's STREAM_SCALAR draws (poisson-midpoint-gaps, thresholds T_g).
// Row: st.c0 = (t_0, m_0, sig2_0, K), st.c1 = (thr, alpha_K, beta_K, A_K), st.c2.x = c_K.
// table (binding 3): word 0 = list count; words 1-2 = midpoint evaluations of the run so far (64-bit);
// block b = st.step - 1, fine index i at 16 + (b (K - 1) + i - 1) * 9: t, m, sig2, alpha, beta, A, c, g, T_i (gap threshold, an integer in f32;
// the same in every block, read from block 0).
#include "sampler-common"

const PMM_STRIDE: u32 = 9u; // floats per fine index in the table
#include "poisson-midpoint-gaps"
@group(0) @binding(4) var<storage, read_write> pstate: array<f32>;
@group(0) @binding(5) var<storage, read_write> plist: array<u32>;
@group(0) @binding(6) var<storage, read_write> pmid: array<f32>;

const CAP_LANES: u32 = ${CAP_LANES}u;

fn field(x: ptr<function, Vec>, tp: TimeParams, f: ptr<function, Vec>) {
  var other: Vec;
#if ${FIELD_DRIFT}
  model_eval(x, tp, f, &other);
  for (var b = 0u; b < DIM4; b++) { // unroll
    (*f)[b] = (*x)[b] + 2.0 * (*f)[b]; }
#else
  model_eval(x, tp, &other, f);
#endif
}

#if ${PHASE_LATER}
fn tab(i: u32, k: u32) -> f32 {
  return bitcast<f32>(table[16u + ((st.step - 1u) * (u32(st.c0.w) - 1u) + i - 1u) * PMM_STRIDE + k]);
}

fn load_f0(i: u32, f: ptr<function, Vec>) {
  let base = i * (DIM + 1u);
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = pstate[base + 4u * b + e]; }
    }
    (*f)[b] = v;
  }
}

// S += sqrt(dc) xi(seg_end)
fn path_step(pg: u32, seg_end: u32, dc: f32, s: ptr<function, Vec>) {
  let sc = sqrt(max(dc, 0.0));
  // not unrolled: DIM4 inlined Philox blocks inside the callers' loops make shader compilation
  // on SwiftShader explode for d = 64
  for (var b = 0u; b < DIM4; b++) {
    var n4 = philox_normal4(run.key, pg, st.step, STREAM_STEP_NOISE2, seg_end * DIM4 + b);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e >= DIM) { n4[e] = 0.0; }
    }
    (*s)[b] += sc * n4;
  }
}

// g_i (F(X+_i, t_i) - F_0) with X+_i = alpha_i X_0 + beta_i F_0 + A_i S.
fn midpoint_term(ii: u32, x0: ptr<function, Vec>, f0: ptr<function, Vec>, s: ptr<function, Vec>, out: ptr<function, Vec>) {
  let al = tab(ii, 3u);
  let be = tab(ii, 4u);
  let aa = tab(ii, 5u);
  let g = tab(ii, 7u);
  var xp: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    xp[b] = al * (*x0)[b] + be * (*f0)[b] + aa * (*s)[b]; }
  var f: Vec;
  field(&xp, TimeParams(tab(ii, 0u), tab(ii, 1u), tab(ii, 2u)), &f);
  for (var b = 0u; b < DIM4; b++) { // unroll
    (*out)[b] = g * (f[b] - (*f0)[b]); }
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
  var x: Vec;
  load_state(i, &x);
  var f0: Vec;
  field(&x, time_params(st.c0), &f0);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  let base = i * (DIM + 1u);
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { pstate[base + 4u * b + e] = f0[b][e]; }
    }
  }
  let pg = run.offset + i;
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
  var acc: Vec;
  let target_ii = kk;
#endif
  var x0: Vec;
  load_state(i, &x0);
  var f0: Vec;
  load_f0(i, &f0);
  let pg = run.offset + i;
  var s: Vec;
  for (var b = 0u; b < DIM4; b++) { // unroll
    s[b] = vec4<f32>(0.0); }
#if ${PHASE_FINISH}
  for (var b = 0u; b < DIM4; b++) { // unroll
    acc[b] = st.c1.y * x0[b] + st.c1.z * f0[b]; }
#endif
  var c_prev = 0.0;
  var m = 0u;
  var draws = pmm_draws();
  // the active indices up to the target (MID) or all of them (FINISH), in order
  for (var ii = pmm_next(pg, 0u, kk, &draws); ii < kk && ii <= target_ii; ii = pmm_next(pg, ii, kk, &draws)) {
    {
      let c_i = tab(ii, 6u);
      path_step(pg, ii, c_i - c_prev, &s);
      c_prev = c_i;
#if ${PHASE_FINISH}
      let jj = slot + m;
      var term: Vec;
      if (jj < cap) {
        for (var b = 0u; b < DIM4; b++) { // unroll
          var v = vec4<f32>(0.0);
          for (var e2 = 0u; e2 < 4u; e2++) { // unroll
            if (4u * b + e2 < DIM) { v[e2] = pmid[jj * DIM + 4u * b + e2]; }
          }
          term[b] = v;
        }
      } else {
        midpoint_term(ii, &x0, &f0, &s, &term);
      }
      for (var b = 0u; b < DIM4; b++) { // unroll
        acc[b] += term[b]; }
#endif
      m++;
    }
  }
#if ${PHASE_MID}
  var term: Vec;
  midpoint_term(target_ii, &x0, &f0, &s, &term);
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  for (var b = 0u; b < DIM4; b++) { // unroll
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { pmid[j * DIM + 4u * b + e] = term[b][e]; }
    }
  }
#else
  path_step(pg, kk, st.c2.x - c_prev, &s);
  for (var b = 0u; b < DIM4; b++) { // unroll
    acc[b] += st.c1.w * s[b]; }
  if (!staged_commit()) { return; } // staged replay: only the last dispatch stores
  store_state(i, &acc);
  if (i == 0u) { table[0] = 0u; }
#endif
#endif
}
