// The active fine indices of a particle's coarse step in the Poisson midpoint method, drawn as
// geometric gaps (src/samplers/poisson-midpoint-draws.ts, the same integers): draw e = 0, 1, ... is
// the top 24 bits u of word e of the particle's STREAM_SCALAR Philox blocks; its gap G is the number
// of g in 1 .. K-1 with u < T_g = floor(2^24 (1 - p)^g) (decreasing; binary search), and the next
// active index is prev + 1 + G, none once it reaches K. So P(G >= g) = T_g / 2^24 = (1 - p)^g, the
// indices are active independently with probability p (to 2^-24), and a coarse step costs
// (active + 1) draws instead of K - 1.
// Also declares the plan table (binding 3; atomic in the START phase, which appends to the list and
// includes "poisson-midpoint-list"); T_g is the last of the includer's PMM_STRIDE floats of fine
// index g in block 0 (the same in every block), an integer stored as f32.

#if ${PHASE_START}
@group(0) @binding(3) var<storage, read_write> table: array<atomic<u32>>;
fn table_word(i: u32) -> u32 { return atomicLoad(&table[i]); }
#else
@group(0) @binding(3) var<storage, read_write> table: array<u32>;
fn table_word(i: u32) -> u32 { return table[i]; }
#endif

fn gap_thr(g: u32) -> u32 {
  return u32(bitcast<f32>(table_word(16u + (g - 1u) * PMM_STRIDE + PMM_STRIDE - 1u)));
}

struct PmmDraws { e: u32, w: vec4<u32> }

fn pmm_draws() -> PmmDraws {
  return PmmDraws(0u, vec4<u32>(0u));
}

// The next active index after `prev` (>= kk: none).
fn pmm_next(pg: u32, prev: u32, kk: u32, d: ptr<function, PmmDraws>) -> u32 {
  let e = (*d).e;
  if ((e & 3u) == 0u) { (*d).w = philox4x32(vec4<u32>(pg, st.step, STREAM_SCALAR, e >> 2u), run.key); }
  let u = (*d).w[e & 3u] >> 8u;
  (*d).e = e + 1u;
  // G = #{g in 1 .. K-1 : u < T_g}: the largest g with u < T_g, 0 if none
  var lo = 0u;
  var hi = kk - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (u < gap_thr(mid)) { lo = mid; } else { hi = mid - 1u; }
  }
  return prev + 1u + lo;
}

#if ${PHASE_START}
#include "poisson-midpoint-list"
#endif
