// Example of a user score (src/scores/banana.ts): the exact OU score of the banana density
//   x1 ~ N(0, s1^2),  x2 | x1 ~ N(b x1^2 + c, s2^2),
// written against the user-score API: fn score(x: Point, tp: TimeParams) -> Point, own bindings in
// group 1. With y = m x + sigma z, the x2 integral is Gaussian and the x1 integral is a
// Gauss-Hermite sum over the posterior of x1 given y1 (nodes x1_k = mu + sqrt(2 v) xi_k):
//   r_k ~ w_k N(y2; m mu2_k, V2),  mu2_k = b x1_k^2 + c,  V2 = m^2 s2^2 + sigma^2,
//   s_1 = [-y1 v / s1^2 + m sqrt(2 v) sum_k r_k xi_k] / sigma^2,   s_2 = -sum_k r_k (y2 - m mu2_k) / V2,
// forms without the cancellation of Tweedie's (m x0hat - y) / sigma^2 at small sigma.

struct Banana {
  b: f32,
  c: f32,
  s1: f32,
  s2: f32,
}
@group(1) @binding(0) var<uniform> banana: Banana;
// Gauss-Hermite (node xi_k, log weight) pairs
@group(1) @binding(1) var<storage, read> gh: array<vec2<f32>>;

fn score(x: Point, tp: TimeParams) -> Point {
  let m = tp.m;
  let s1sq = banana.s1 * banana.s1;
  let v = 1.0 / (1.0 / s1sq + m * m / tp.sig2);  // posterior variance of x1 given y1
  let mu = v * m * x[0] / tp.sig2;
  let sd = sqrt(2.0 * v);
  let v2 = m * m * banana.s2 * banana.s2 + tp.sig2;
  var run_max = -3.0e38;
  var run_sum = 0.0;
  var sum_xi = 0.0;
  var sum_r = 0.0;
  for (var k = 0u; k < arrayLength(&gh); k++) {
    let node = gh[k];
    let x1 = mu + sd * node.x;
    let r = x[1] - m * (banana.b * x1 * x1 + banana.c);
    let ell = node.y - 0.5 * r * r / v2;
    let grow = ell > run_max;
    let decay = exp(-abs(ell - run_max));
    let rescale = select(1.0, decay, grow);
    let w = select(decay, 1.0, grow);
    run_sum = run_sum * rescale + w;
    sum_xi = sum_xi * rescale + w * node.x;
    sum_r = sum_r * rescale + w * r;
    run_max = max(run_max, ell);
  }
  let s1 = (-x[0] * v / s1sq + m * sd * sum_xi / run_sum) / tp.sig2;
  let s2 = -(sum_r / run_sum) / v2;
  return Point(s1, s2);
}
