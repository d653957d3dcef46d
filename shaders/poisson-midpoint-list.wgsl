// The compacted list of the Poisson midpoint method (Kandasamy & Nagaraj 2024; ALGORITHMS.md 6.2),
// shared by the ddpm/overdamped and underdamped chains. Included in the START phase only, where the
// includer declares `table: array<atomic<u32>>` (word 0 = list count, words 1 (low) and 2 (high) =
// the run's midpoint evaluations as a 64-bit count) and `plist: array<u32>` of (particle, fine index) pairs.

// Particle i (global index pg) draws its Bernoulli(1/K) indicators H_ii, ii = 1 .. kk - 1, from the
// scalar stream (H_ii = 1 when the top 24 bits of its word fall below thr), reserves a contiguous
// block of the list with one atomicAdd and writes its active pairs there (those past cap are left to
// FINISH). Returns the block's first slot.
fn pmm_reserve(i: u32, pg: u32, kk: u32, thr: u32, cap: u32) -> u32 {
  var n = 0u;
  var w = vec4<u32>(0u);
  for (var ii = 1u; ii < kk; ii++) {
    let e = ii - 1u;
    if ((e & 3u) == 0u) { w = philox4x32(vec4<u32>(pg, st.step, STREAM_SCALAR, e >> 2u), run.key); }
    if ((w[e & 3u] >> 8u) < thr) { n++; }
  }
  var slot = 0u;
  if (n > 0u) {
    slot = atomicAdd(&table[0], n);
    // the run's midpoint evaluations, for the realised nfe: a 64-bit count, low word 1 carrying into word 2
    let low = atomicAdd(&table[1], n);
    if (low + n < low) { atomicAdd(&table[2], 1u); }
  }
  var m = 0u;
  for (var ii = 1u; ii < kk; ii++) {
    let e = ii - 1u;
    if ((e & 3u) == 0u) { w = philox4x32(vec4<u32>(pg, st.step, STREAM_SCALAR, e >> 2u), run.key); }
    if ((w[e & 3u] >> 8u) < thr) {
      let j = slot + m;
      if (j < cap) {
        plist[2u * j] = i;
        plist[2u * j + 1u] = ii;
      }
      m++;
    }
  }
  return slot;
}
