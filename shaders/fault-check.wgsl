// Numerical-fault check (src/gpu/fault-check.ts): counts the particles that have a non-finite
// coordinate (NaN or +-Inf) into counts[slot] and sets their bit in a per-run mask. It only reads
// the state, so a run's results do not depend on whether it is checked. The test is on the bits
// (exponent all ones), which no fast-math rewrite of `x != x` can fold away.

const DIM: u32 = ${DIM}u;
const WG_SIZE: u32 = ${WG_SIZE}u;

struct CheckParams {
  count: u32,       // particles
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
  slot: u32,        // which counter this check adds to
  pad: u32,
}

@group(0) @binding(0) var<uniform> cp: CheckParams;
@group(0) @binding(1) var<storage, read> bits: array<u32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> mask: array<atomic<u32>>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * cp.row_stride;
  if (i >= cp.count) { return; }
  var bad = false;
  let base = i * DIM;
  for (var j = 0u; j < DIM; j++) {
    if ((bits[base + j] & 0x7f800000u) == 0x7f800000u) { bad = true; }
  }
  if (bad) {
    atomicAdd(&counts[cp.slot], 1u);
    atomicOr(&mask[i / 32u], 1u << (i % 32u));
  }
}
