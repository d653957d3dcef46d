// Micro-benchmark: peak f32 FMA throughput of this adapter. Each invocation runs ITERS rounds of 8
// independent vec4 fma chains held in registers (8 x 4 fmas = 64 flops per round) and writes their
// sum, so nothing can be optimised away. b < 1 keeps the chains bounded. Defines: WG_SIZE, ITERS,
// FUSED (the fma() builtin; else a * b + c, which is what the kernels write and which compilers
// may contract: SwiftShader without hardware FMA emulates fma() exactly and much more slowly).

@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: vec4<f32>;  // (b, c, row stride, 0)

@compute @workgroup_size(${WG_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u32(params.z);
  let b = vec4<f32>(params.x);
  let c = vec4<f32>(params.y);
  let s = f32(i & 255u) * 1e-3;
  var a0 = vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
  var a1 = a0 + 0.01; var a2 = a0 + 0.02; var a3 = a0 + 0.03;
  var a4 = a0 + 0.04; var a5 = a0 + 0.05; var a6 = a0 + 0.06; var a7 = a0 + 0.07;
  for (var it = 0u; it < ${ITERS}u; it++) {
#if ${FUSED}
    a0 = fma(a0, b, c); a1 = fma(a1, b, c); a2 = fma(a2, b, c); a3 = fma(a3, b, c);
    a4 = fma(a4, b, c); a5 = fma(a5, b, c); a6 = fma(a6, b, c); a7 = fma(a7, b, c);
#else
    a0 = a0 * b + c; a1 = a1 * b + c; a2 = a2 * b + c; a3 = a3 * b + c;
    a4 = a4 * b + c; a5 = a5 * b + c; a6 = a6 * b + c; a7 = a7 * b + c;
#endif
  }
  out[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
