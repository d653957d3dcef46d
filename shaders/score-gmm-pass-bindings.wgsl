// The bindings shared by the mixture-score pass kernels (score-gmm-tiled, score-gmm-split,
// score-gmm-stream): the particle count and dispatch-row stride, the state xs (P x DIM), the output
// scores (P x DIM), and the per-time table (src/scores/gmm-time-table.ts): per component
// (const_k, 0, 0, 0), m mu_k (DIM4 vec4s), 1 / c_k (DIM4 vec4s), as a uniform with TABLE_UNIFORM
// (it must fit the 64 KiB binding) or as storage. The includer defines DIM4 and NCOMP.

struct Params {
  count: u32,       // particles
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
#if ${TABLE_UNIFORM}
@group(0) @binding(3) var<uniform> table: array<vec4<f32>, NCOMP * (1u + 2u * ((${DIM}u + 3u) / 4u))>;
#else
@group(0) @binding(3) var<storage, read> table: array<vec4<f32>>;
#endif
