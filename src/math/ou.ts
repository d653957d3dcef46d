/**
 * The Ornstein-Uhlenbeck forward process dx = -x dt + sqrt(2) dB and its parameterisations
 * (ALGORITHMS.md 1.1 and 1.3): x_t = m_t x_0 + sigma_t z with m_t = e^{-t}, sigma_t^2 = 1 - e^{-2t}.
 * All functions are float64 and use expm1/log1p where a difference of nearly equal numbers would
 * otherwise cancel.
 */

/** Signal scale m_t = e^{-t}. */
export const signalScale = (t: number): number => Math.exp(-t);

/** Noise variance sigma_t^2 = 1 - e^{-2t} = -expm1(-2t). */
export const noiseVariance = (t: number): number => -Math.expm1(-2 * t);

/** Noise standard deviation sigma_t. */
export const noiseStd = (t: number): number => Math.sqrt(-Math.expm1(-2 * t));

/** Half log-SNR lambda_t = log(m_t / sigma_t). Decreases in t. */
export const logSnr = (t: number): number => -t - 0.5 * Math.log(-Math.expm1(-2 * t));

/** OU time of a half log-SNR: t = 1/2 log1p(e^{-2 lambda}). */
export const timeFromLogSnr = (lambda: number): number => 0.5 * Math.log1p(Math.exp(-2 * lambda));

/** EDM noise level rho_t = sigma_t / m_t = sqrt(expm1(2t)); the EDM state is e^t x. */
export const edmSigma = (t: number): number => Math.sqrt(Math.expm1(2 * t));

/** OU time of an EDM noise level: t = 1/2 log1p(rho^2). */
export const timeFromEdmSigma = (rho: number): number => 0.5 * Math.log1p(rho * rho);

/** DDPM cumulative alpha-bar of an OU time: alpha-bar = e^{-2t}. */
export const alphaBar = (t: number): number => Math.exp(-2 * t);

/** OU time of a DDPM alpha-bar: t = -1/2 log(alpha-bar). */
export const timeFromAlphaBar = (abar: number): number => -0.5 * Math.log(abar);

/**
 * OU time of VP-SDE time u in [0, 1] with beta(u) = betaMin + u (betaMax - betaMin) (Song et al.):
 * t = 1/2 int_0^u beta.
 */
export const timeFromVpSde = (u: number, betaMin = 0.1, betaMax = 20): number =>
  0.5 * (betaMin * u + 0.5 * (betaMax - betaMin) * u * u);

/** VP-SDE time of an OU time (inverse of {@link timeFromVpSde}). */
export function vpSdeFromTime(t: number, betaMin = 0.1, betaMax = 20): number {
  const delta = betaMax - betaMin;
  if (delta === 0) return (2 * t) / betaMin;
  // root of (delta/4) u^2 + (betaMin/2) u - t = 0, in the stable form 2c / (b + sqrt(b^2 + 4ac))
  return (4 * t) / (betaMin + Math.sqrt(betaMin * betaMin + 4 * delta * t));
}

/** Everything a kernel needs to know about one time, in float64. */
export interface TimePoint {
  t: number;
  m: number;
  sigma2: number;
  sigma: number;
  lambda: number;
  rho: number;
}

/** All parameterisations of OU time `t`. */
export function timePoint(t: number): TimePoint {
  const sigma2 = noiseVariance(t);
  return { t, m: signalScale(t), sigma2, sigma: Math.sqrt(sigma2), lambda: logSnr(t), rho: edmSigma(t) };
}
