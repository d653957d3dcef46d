/**
 * Accelerated stochastic sampler: documented stand-in for Li and Cai 2024 ("Provable Acceleration
 * for Diffusion Models under Minimal Assumptions", arXiv 2410.23285). [R] The paper's update rule,
 * its coefficients and its clipping rule were not available (ALGORITHMS.md 5.2). What runs here
 * has the three ingredients the paper's summary names (noise injection, a momentum-like
 * second-order correction, clipping), realised as DPM-Solver++(2M)-SDE (ALGORITHMS.md B8) with our
 * clip; it is NOT the paper's algorithm. Step i from t_i to t_{i+1}, h = lambda_{i+1} - lambda_i,
 * r = h_{i-1} / h, eta the noise fraction:
 *   base  x' = (sigma_{i+1}/sigma_i) e^{-eta h} x - m_{i+1} expm1(-(1+eta) h) x0hat_i
 *              + sigma_{i+1} sqrt(-expm1(-2 eta h)) z                                            (B8)
 *   corr  D = x0hat_i - x0hat_{i-1};  x' += -(1/(2r)) m_{i+1} expm1(-(1+eta) h) clip(D)        (B8, "midpoint")
 *   clip  [ours, 10.1 item 7] with ms = running mean of |D|^2 / d over this particle's earlier steps
 *         (EMA weight beta), D is scaled down to rms kappa sqrt(ms) when its rms exceeds that;
 *         ms is then updated with the clipped D. kappa = 0 turns clipping off.
 * The scale is the correction's own history, so it does not vanish for zero-mean data (the
 * kappa |x0hat| rule of 5.2 never fired on 64-128-D targets). eta = 1 without correction is DDPM.
 */
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd, signalScale } from '../math/ou.js';
import { Stream } from '../rng/philox.js';
import { newRow, setTime, type ReferenceContext, type SamplerDefinition, type StepRow } from './types.js';

/** Row flag: a previous x0hat exists (apply the correction). */
const HAS_PREV = 1;

export const acceleratedSde: SamplerDefinition = {
  name: 'accelerated-sde',
  description:
    '[R] Stand-in for the Li-Cai accelerated stochastic sampler: DPM-Solver++(2M)-SDE (noise injection + ' +
    'second-order multistep correction) with clipping of large corrections against their running RMS (our rule).',
  source: 'Li, Cai 2024 (arXiv 2410.23285) structure only [R]; update = DPM-Solver++(2M) SDE, ALGORITHMS.md B8; clip: ours (10.1 item 7)',
  nfePerStep: '1',
  roundsPerStep: '1',
  minNfe: 1,
  options: [
    { name: 'eta', type: 'number', default: 1, min: 0, max: 1, description: 'noise fraction (1: DDPM-like ancestral noise, 0: DPM-Solver++(2M))' },
    { name: 'clip', type: 'number', default: 2, min: 0, max: 1000, description: 'kappa: clip the correction to kappa x its running RMS; 0 = no clipping' },
    { name: 'beta', type: 'number', default: 0.5, min: 0, max: 0.999, description: 'EMA weight of the running mean square of the correction' },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const eta = options.eta as number, kappa = options.clip as number, beta = options.beta as number;
    const ts = timeGrid(grid, nfe, tMax, delta);
    const rows: StepRow[] = [];
    let hPrev = 0;
    for (let i = 0; i < nfe; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const h = logSnr(s) - logSnr(t);
      const row = newRow(i + 1, i > 0 ? HAS_PREV : 0);
      const e1 = Math.expm1(-(1 + eta) * h);
      row.c[0] = (noiseStd(s) / noiseStd(t)) * Math.exp(-eta * h); // a
      row.c[1] = -signalScale(s) * e1; // b (x0hat_i)
      row.c[2] = i > 0 ? -0.5 * (h / hPrev) * signalScale(s) * e1 : 0; // b2 (clipped D), 1/r = h / h_{i-1}
      row.c[3] = noiseStd(s) * Math.sqrt(-Math.expm1(-2 * eta * h)); // c (noise)
      setTime(row, 1, t);
      row.c[8] = kappa;
      row.c[9] = beta;
      rows.push(row);
      hPrev = h;
    }
    return {
      rows,
      nfe,
      rounds: nfe,
      grid: ts,
      kernels: [{ shader: 'accelerated-sde', defines: { NOISY: eta > 0 }, wantScore: false, wantX0: true }],
      buffers: [{ name: 'prev', floatsPerParticle: dim }, { name: 'clipms', floatsPerParticle: 1 }],
      reference: (x, row, ctx) => acceleratedSdeReference(x, row, ctx, eta > 0),
    };
  },
};

/** The factor in (0, 1] that clips a correction of mean square `msD` against the running `ms` (kappa = 0: none). */
export function clipFactor(msD: number, ms: number, kappa: number): number {
  if (kappa <= 0 || ms <= 0) return 1;
  const lim = kappa * kappa * ms;
  return msD > lim ? Math.sqrt(lim / msD) : 1;
}

/** Float64 reference of one step for one particle (mirrors shaders/accelerated-sde.wgsl). */
function acceleratedSdeReference(x: Float64Array, row: StepRow, ctx: ReferenceContext, noisy: boolean): void {
  const d = ctx.dim;
  const [f, z] = ctx.scratch as [Float64Array, Float64Array];
  const prev = ctx.buffers.prev!, ms = ctx.buffers.clipms!;
  ctx.model(x, 0, row.c[4]!, null, f);
  if (noisy) ctx.rng.fillNormals(z, 0, d, ctx.particle, row.step, Stream.stepNoise);
  const [a, b, b2, c] = [row.c[0]!, row.c[1]!, row.c[2]!, row.c[3]!];
  const kappa = row.c[8]!, beta = row.c[9]!;
  let k = 0;
  if (row.flags & HAS_PREV) {
    let msD = 0;
    for (let j = 0; j < d; j++) msD += (f[j]! - prev[j]!) ** 2;
    msD /= d;
    const q = clipFactor(msD, ms[0]!, kappa);
    k = b2 * q;
    ms[0] = ms[0]! > 0 ? beta * ms[0]! + (1 - beta) * q * q * msD : msD;
  }
  for (let j = 0; j < d; j++) {
    let v = a * x[j]! + b * f[j]!;
    if (row.flags & HAS_PREV) v += k * (f[j]! - prev[j]!);
    if (noisy) v += c * z[j]!;
    prev[j] = f[j]!;
    x[j] = v;
  }
}
