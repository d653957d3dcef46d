// Writes Philox words and normals for counters (i, step, stream, block): used to check that the
// WGSL generator is bit-identical to the TypeScript one. out_words[4i..4i+4), out_normals[4i..4i+4).
#include "philox"

struct DumpParams { key: vec2<u32>, step: u32, stream: u32, count: u32, }
@group(0) @binding(0) var<uniform> prm: DumpParams;
@group(0) @binding(1) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_normals: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= prm.count) { return; }
  let particle = i / 4u;
  let block = i % 4u;
  let w = philox4x32(vec4<u32>(particle, prm.step, prm.stream, block), prm.key);
  let n = philox_normal4(prm.key, particle, prm.step, prm.stream, block);
  for (var e = 0u; e < 4u; e++) {
    out_words[4u * i + e] = w[e];
    out_normals[4u * i + e] = n[e];
  }
}
