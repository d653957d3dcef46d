// Micro-benchmark: memory bandwidth of this adapter. Each invocation reads one vec4 and writes one
// (32 bytes moved), consecutive invocations touching consecutive addresses. Defines: WG_SIZE.

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: vec4<f32>;  // (scale, 0, row stride, count)

@compute @workgroup_size(${WG_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u32(params.z);
  if (i >= u32(params.w)) { return; }
  dst[i] = src[i] * params.x;
}
