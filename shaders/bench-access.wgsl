// Micro-benchmark: what one operand access costs on this adapter, next to a register. Each
// invocation runs 32 loop iterations of 16 unrolled steps of two vec4 chains a = a * B + C
// (1024 vec4 mul-adds in all, as shaders/bench-fma.wgsl); B and C come from (one define set):
//   REG      registers (the reference)
//   PRIV     a private array of 32 vec4s filled with per-lane values, read at constant indices
//   PRIV_DYN the same array read at a run-time index (uniform across lanes, not a constant)
//   UNI      a uniform array of vec4s at constant indices
//   UNI_DYN  the uniform array at a run-time index
//   UNI_S    one scalar of the uniform array per step (B only; C a register)
//   STO      a per-lane scalar of a storage buffer per step (C only; B a register)
//   WG       a workgroup-memory array of vec4s at constant indices
//   LIT      shader literals, a different vec4 per step (a table baked into the code)
// Defines: WG_SIZE, the flags above, and PRIV_ARRAY (PRIV or PRIV_DYN).

@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: vec4<f32>;  // (b, c, row stride, 0)
@group(0) @binding(2) var<uniform> table: array<vec4<f32>, 32>;
@group(0) @binding(3) var<storage, read> xs: array<f32>;
#if ${WG}
var<workgroup> wt: array<vec4<f32>, 32>;
#endif

@compute @workgroup_size(${WG_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
#if ${WG}
  if (lid < 32u) { wt[lid] = table[lid]; }
  workgroupBarrier();
#endif
  let i = gid.x + gid.y * u32(params.z);
  let b = vec4<f32>(params.x);
  let c = vec4<f32>(params.y);
  let s = f32(i & 255u) * 1e-3;
  var a0 = vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
  var a1 = a0 + 0.05;
#if ${PRIV_ARRAY}
  var p: array<vec4<f32>, 32>;
  for (var u = 0u; u < 16u; u++) { // unroll
    p[u] = table[u] * (1.0 + s);
    p[u + 16u] = table[u + 16u] * (1.0 - s);
  }
#endif
  for (var it = 0u; it < 32u; it++) {
    for (var u = 0u; u < 16u; u++) { // unroll
#if ${REG}
      a0 = a0 * b + c; a1 = a1 * b + c;
#elif ${PRIV_DYN}
      a0 = a0 * p[(it & 1u) * 16u + u] + c; a1 = a1 * p[(it & 1u) * 16u + u] + c;
#elif ${PRIV}
      a0 = a0 * p[u] + p[u + 16u]; a1 = a1 * p[u] + p[u + 16u];
#elif ${UNI}
      a0 = a0 * table[u] + table[u + 16u]; a1 = a1 * table[u] + table[u + 16u];
#elif ${UNI_DYN}
      a0 = a0 * table[(it & 1u) * 16u + u] + c; a1 = a1 * table[(it & 1u) * 16u + u] + c;
#elif ${UNI_S}
      let tv = table[u].x;
      a0 = a0 * tv + c; a1 = a1 * tv + c;
#elif ${STO}
      let xv = xs[(i & 4095u) * 16u + u];
      a0 = a0 * b + xv; a1 = a1 * b + xv;
#elif ${WG}
      a0 = a0 * wt[u] + wt[u + 16u]; a1 = a1 * wt[u] + wt[u + 16u];
#elif ${LIT}
      let lb = vec4<f32>(0.999 - 1e-5 * f32(u), 0.998 - 1e-5 * f32(u), 0.997 - 1e-5 * f32(u), 0.996 - 1e-5 * f32(u));
      let lc = vec4<f32>(1e-3 + 1e-6 * f32(u), 2e-3 + 1e-6 * f32(u), 3e-3 + 1e-6 * f32(u), 4e-3 + 1e-6 * f32(u));
      a0 = a0 * lb + lc; a1 = a1 * lb + lc;
#endif
    }
  }
  out[i] = a0 + a1;
}
