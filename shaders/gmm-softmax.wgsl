// Shared by the private-table mixture kernels (score-gmm-gemm, -gemm-chunked, -points): the
// normalised weights of KP components from their log-densities, K4 = KP / 4 vec4s, in place
// (padding components have log-density -1e30 and get weight 0). Needs the define K4.

fn softmax_in_place(ell: ptr<function, array<vec4<f32>, ${K4}>>) {
  var mx = (*ell)[0];
  for (var q = 0u; q < ${K4}u; q++) { // unroll
    mx = max(mx, (*ell)[q]); }
  let top = max(max(mx.x, mx.y), max(mx.z, mx.w));
  var total = vec4<f32>(0.0);
  for (var q = 0u; q < ${K4}u; q++) { // unroll
    (*ell)[q] = exp((*ell)[q] - top);
    total += (*ell)[q]; }
  let inv = 1.0 / (total.x + total.y + total.z + total.w);
  for (var q = 0u; q < ${K4}u; q++) { // unroll
    (*ell)[q] = (*ell)[q] * inv; }
}
