// f32 helpers for the underdamped Langevin corrector, mirroring src/math/ulmc.ts with series where
// the direct forms cancel (ALGORITHMS.md 1.4 and 10.1 item 9).

// expm1 without cancellation for small |x|.
fn expm1f(x: f32) -> f32 {
  if (abs(x) < 1e-2) { return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x / 24.0))); }
  return exp(x) - 1.0;
}

// phi(l) = (1 - e^{-gamma l}) / gamma
fn ulmc_phi(gamma: f32, l: f32) -> f32 {
  return -expm1f(-gamma * l) / gamma;
}

// l - phi(l), by its series for small gamma l
fn ulmc_l_minus_phi(gamma: f32, l: f32) -> f32 {
  let x = gamma * l;
  if (x < 0.05) { return l * x * (0.5 - x / 6.0 + x * x / 24.0 - x * x * x / 120.0); }
  return (x + expm1f(-x)) / gamma;
}

// v1 - phi^2 / l, series below gamma l = 0.05
fn ulmc_pair_residual(gamma: f32, l: f32) -> f32 {
  if (l <= 0.0) { return 0.0; }
  let x = gamma * l;
  if (x < 0.05) {
    return l * x * x * (1.0 / 12.0 - x / 12.0 + 17.0 * x * x / 360.0 - 7.0 * x * x * x / 360.0 + 43.0 * x * x * x * x / 6720.0);
  }
  let phi = ulmc_phi(gamma, l);
  return max(0.0, -expm1f(-2.0 * x) / (2.0 * gamma) - phi * phi / l);
}
