// x_T ~ N(0, I): the Philox normals of stream INIT, step 0.
#include "sampler-common"

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = particle_index(gid);
  if (i >= run.count) { return; }
  var x: Vec;
  normals(run.offset + i, 0u, STREAM_INIT, &x);
  store_state(i, &x);
}
