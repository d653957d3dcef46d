// Copies the 16 coefficients of this row into a plan table: table[flags * 16 + k] = c_k.
// A plan whose dispatch needs more float64-planned coefficients than one row holds (the p x p
// Lagrange weights of heroism, the per-index table of a Poisson midpoint block) writes them with a
// few of these rows first; the following kernels read the table. The table is the plan's first
// extra buffer, at binding 3. No model evaluation.
#include "sampler-common"

@group(0) @binding(3) var<storage, read_write> table: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = gid.x;
  if (gid.y != 0u || k >= 16u) { return; }
  var c = st.c0;
  if (k >= 12u) { c = st.c3; } else if (k >= 8u) { c = st.c2; } else if (k >= 4u) { c = st.c1; }
  table[st.flags * 16u + k] = c[k % 4u];
}
