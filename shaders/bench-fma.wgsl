// Micro-benchmark: peak f32 FMA throughput of this adapter. Each invocation runs ITERS rounds of 64
// flops (two independent vec4 chains, four fmas deep: 2 x 4 x 4 fmas) and writes their sum, so
// nothing can be optimised away; b < 1 keeps the chains bounded. The loop body holds four rounds,
// unrolled, because a loop iteration is expensive on SwiftShader: measured there, two vec4 chains
// unrolled 16 deep reach 5-6x the throughput of eight chains one deep per iteration (which spill
// out of the 16 SSE registers and pay the loop overhead every 32 fmas), and 2-3 chains beat 1 and 4.
// Defines: WG_SIZE, ITERS (a multiple of 4), FUSED (the fma() builtin; else a * b + c, which is
// what the kernels write and which compilers may contract: SwiftShader without hardware FMA
// emulates fma() exactly and much more slowly).

@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: vec4<f32>;  // (b, c, row stride, 0)

@compute @workgroup_size(${WG_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u32(params.z);
  let b = vec4<f32>(params.x);
  let c = vec4<f32>(params.y);
  let s = f32(i & 255u) * 1e-3;
  var a0 = vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
  var a1 = a0 + 0.05;
  for (var it = 0u; it < ${ITERS}u / 4u; it++) {
    for (var u = 0u; u < 16u; u++) { // unroll
#if ${FUSED}
      a0 = fma(a0, b, c); a1 = fma(a1, b, c);
#else
      a0 = a0 * b + c; a1 = a1 * b + c;
#endif
    }
  }
  out[i] = a0 + a1;
}
