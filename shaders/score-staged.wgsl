// A score computed outside the sampler kernels by "staged replay" (src/scores/external-score.ts).
// A kernel with at most n model_eval calls per invocation is dispatched n + 1 times in a row with
// pass index j = 0 .. n (staged.replay; staged.evals = n). Call c of an invocation
//   c <  j: returns the app's output for call c, from staged_cache (slot c * slots + invocation);
//   c == j: writes its point x and time (t, m, sig2) into the query buffers (slot = invocation) and returns 0;
//   c >  j: returns 0.
// Between dispatches j and j + 1 the app scores the query buffers and the engine copies the
// result into cache block j. The kernels are deterministic (Philox noise keyed by particle, step
// and stream), so every replay recomputes the same points; only the last dispatch (j == n) may
// write state: the kernels guard their stores with staged_commit().
// EXT_SCORE / EXT_X0 / neither say what the app writes: the score s, the denoiser x0hat, or the
// noise eps; the rest follows by Tweedie's formula, x0hat = (x + sigma^2 s) / m, s = -eps / sigma.

#include "model-common"

struct StagedPass {
  replay: u32, // j: this dispatch's replay index
  evals: u32,  // n: model_eval calls of this row (the last replay, j == n, commits)
  slots: u32,  // query slots (invocations of the widest kernel)
  pad: u32,    // 0
}

@group(1) @binding(0) var<uniform> staged: StagedPass;
@group(1) @binding(1) var<storage, read> staged_cache: array<f32>;
@group(1) @binding(2) var<storage, read_write> staged_points: array<f32>;
@group(1) @binding(3) var<storage, read_write> staged_times: array<vec4<f32>>;

// model_eval calls made so far by this invocation (private: zero at the start of each invocation)
var<private> staged_call: u32;

fn model_prepare(local_index: u32) {}

// Whether this dispatch is the one that may write state (the last replay of its row).
fn staged_commit() -> bool {
  return staged.replay == staged.evals;
}

fn model_eval(x: ptr<function, Vec>, tp: TimeParams, s_out: ptr<function, Vec>, x0_out: ptr<function, Vec>) {
  let c = staged_call;
  staged_call = c + 1u;
  let slot = model_particle;
  if (c >= staged.replay) {
    if (c >= staged.evals) {
      // more calls than the row declared (poisson-midpoint's FINISH on a pair that overflowed its
      // list): no output exists, so the particle turns non-finite and the run's fault check reports it
      let bad = bitcast<f32>(0x7fc00000u + staged.pad);
      for (var b = 0u; b < DIM4; b++) { // unroll
#if ${WANT_SCORE}
        (*s_out)[b] = vec4<f32>(bad);
#endif
#if ${WANT_X0}
        (*x0_out)[b] = vec4<f32>(bad);
#endif
      }
      return;
    }
    if (c == staged.replay) {
      for (var b = 0u; b < DIM4; b++) { // unroll
        for (var e = 0u; e < 4u; e++) { // unroll
          if (4u * b + e < DIM) { staged_points[slot * DIM + 4u * b + e] = (*x)[b][e]; }
        }
      }
      staged_times[slot] = vec4<f32>(tp.t, tp.m, tp.sig2, 0.0);
    }
    for (var b = 0u; b < DIM4; b++) { // unroll
#if ${WANT_SCORE}
      (*s_out)[b] = vec4<f32>(0.0);
#endif
#if ${WANT_X0}
      (*x0_out)[b] = vec4<f32>(0.0);
#endif
    }
    return;
  }
  let base = (c * staged.slots + slot) * DIM;
  let inv_m = 1.0 / tp.m;
  let sig = sqrt(tp.sig2);
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = staged_cache[base + 4u * b + e]; }
    }
#if ${EXT_SCORE}
    let s = v;
    let x0 = ((*x)[b] + tp.sig2 * v) * inv_m;
#elif ${EXT_X0}
    let x0 = v;
    let s = (tp.m * v - (*x)[b]) / tp.sig2;
#else
    let s = -v / sig;
    let x0 = ((*x)[b] - sig * v) * inv_m;
#endif
#if ${WANT_SCORE}
    (*s_out)[b] = s;
#endif
#if ${WANT_X0}
    (*x0_out)[b] = x0;
#endif
  }
}
