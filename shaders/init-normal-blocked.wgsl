// x_T ~ N(0, I) as init-normal.wgsl, one invocation per (particle, vec4 block) (LANES = DIM4):
// block b is philox_normal4(particle, 0, INIT, b), the block `normals` draws for it, so both
// layouts write the same bits; no invocation holds a whole particle. For runs whose update
// kernels use the per-block layout (src/gpu/update-layout.ts).
#include "sampler-common"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = particle_index(gid);
  let i = g / LANES;
  let b = g - i * LANES;
  if (i >= run.count) { return; }
  let z = philox_normal4(run.key, run.offset + i, 0u, STREAM_INIT, b);
  let base = i * DIM + 4u * b;
  for (var e = 0u; e < 4u; e++) { // unroll
    if (4u * b + e < DIM) { xs[base + e] = z[e]; }
  }
}
