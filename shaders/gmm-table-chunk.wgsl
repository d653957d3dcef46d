// Shared by the chunked private-table mixture kernels (score-gmm-gemm-chunked, -points): the
// private copy of one chunk of the per-component table, and how many particles of the sequence
// an invocation owns. The includer defines KB (define), CB4 (vec4s per block of 8 components in
// one chunk), BLK4 (table vec4s per block), PT4 = KB x CB4, CHUNK0 (first table vec4 of the
// blocks), WG_SIZE, SEQMAX and `params` (count, row_stride, seq).

var<private> pt: array<vec4<f32>, PT4>;

// The blocks of chunk c into pt (a run-time loop: unrolled, the copy compiles slowly).
fn copy_chunk(c: u32) {
  for (var b = 0u; b < ${KB}u; b++) {
    for (var q = 0u; q < CB4; q++) { pt[b * CB4 + q] = table[CHUNK0 + b * BLK4 + c * CB4 + q]; }
  }
}

// Particles of the invocation (lid of workgroup `group`): i_n = (group seq + n) WG_SIZE + lid for
// n below this (the caller has checked that i_0 < count).
fn sequence_length(group: u32, lid: u32) -> u32 {
  return min(min(params.seq, SEQMAX), (params.count - lid + WG_SIZE - 1u) / WG_SIZE - group * params.seq);
}
