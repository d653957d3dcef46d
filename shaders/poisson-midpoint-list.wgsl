// The compacted list of the Poisson midpoint method (Kandasamy & Nagaraj 2024; ALGORITHMS.md 6.2),
// shared by the ddpm/overdamped and underdamped chains. Included in the START phase only, where the
// includer declares `table: array<atomic<u32>>` (word 0 = list count, words 1 (low) and 2 (high) =
// the run's midpoint evaluations as a 64-bit count) and `plist: array<u32>` of (particle, fine index)
// pairs, and has included "poisson-midpoint-gaps".

// Particle i (global index pg) draws its active fine indices (poisson-midpoint-gaps), reserves a
// contiguous block of the list with one atomicAdd and writes its active pairs there (those past cap
// are left to FINISH). Returns the block's first slot.
fn pmm_reserve(i: u32, pg: u32, kk: u32, cap: u32) -> u32 {
  var n = 0u;
  var d = pmm_draws();
  for (var ii = pmm_next(pg, 0u, kk, &d); ii < kk; ii = pmm_next(pg, ii, kk, &d)) { n++; }
  var slot = 0u;
  if (n > 0u) {
    slot = atomicAdd(&table[0], n);
    // the run's midpoint evaluations, for the realised nfe: a 64-bit count, low word 1 carrying into word 2
    let low = atomicAdd(&table[1], n);
    if (low + n < low) { atomicAdd(&table[2], 1u); }
  }
  var m = 0u;
  d = pmm_draws();
  for (var ii = pmm_next(pg, 0u, kk, &d); ii < kk; ii = pmm_next(pg, ii, kk, &d)) {
    let j = slot + m;
    if (j < cap) {
      plist[2u * j] = i;
      plist[2u * j + 1u] = ii;
    }
    m++;
  }
  return slot;
}
