/**
 * The exact score of an axis-aligned Gaussian mixture as a separate pass before each step: the
 * mixture-score kernel of the layout chosen by d and adapter (MixtureScoreKernel: the GEMM, tiled,
 * streaming or split kernel) writes s_t(x_i) of every particle into a P x d buffer, and the sampler
 * kernel's model_eval reads it (shaders/score-external.wgsl). This is
 * the "pass" layout; the "fused" one (gmmScoreModel) evaluates the score inside each sampler
 * kernel, one thread per particle. Valid for the samplers of {@link PASS_SAMPLERS}.
 */
import { MidstepError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { checkExternalKernels } from './external-score.js';
import { checkGpuRange } from './gmm-score.js';
import type { MixtureScoreKernel } from './mixture-score-kernel.js';
import type { ScoreBindings, ScoreModel, ScoreRunContext } from './types.js';

/**
 * The samplers that run with the score pass: those of EXTERNAL_SAMPLERS except accelerated-sde,
 * which with the pass is 0.3 off the float64 reference at tMax 10 (1e-5 at tMax 4, 2e-5 with
 * clip=0): its x0hat then comes from the f32 score, (x + sigma^2 s) / m with m = 4.5e-5, about 1e-3
 * off, which swamps the tiny early corrections that seed its clip's running RMS. It keeps a score that
 * computes x0hat directly: the fused one, or from d = 128 on software adapters the staged one
 * (src/scores/gmm-points-score.ts, posterior means).
 */
export const PASS_SAMPLERS: readonly string[] = ['euler-maruyama', 'ddpm', 'ddim', 'heun', 'dpmpp-2m'];

/**
 * Smallest nfe at which `scoreLayout: 'auto'` gives a sampler the pass (default 0). heun's corrector
 * multiplies its first evaluation by about m_s rho_t / 2, large when the first step spans most of
 * the grid, and the pass's x0hat, derived from the f32 score at large t, is about 1e-3 off: with the
 * pass, heun at nfe 5-8 is 7e-4 to 1.4e-2 off the float64 reference (d = 16, 64), at nfe 10 4e-4,
 * at nfe 20 7e-5; fused, 8e-5 or better from nfe 3. A function of the request only (never of P),
 * so chunks and offset parts still agree. A forced `'pass'` is not refused at a smaller nfe.
 */
export const PASS_AUTO_MIN_NFE: Readonly<Record<string, number>> = { heun: 10 };

/**
 * A score model for `target` that evaluates s_t with `kernel` (compiled for this target) before each row.
 * The CPU reference evaluates the same float64 score as the fused model.
 * @throws TargetError when the target is out of f32 range; MidstepError for full covariances.
 */
export function gmmPassScoreModel(target: GaussianMixture, kernel: MixtureScoreKernel): ScoreModel {
  checkGpuRange(target);
  if (kernel.target !== target) throw new MidstepError(`the score pass kernel was compiled for ${kernel.target.name}, not for ${target.name}`);
  return {
    name: target.name,
    dim: target.dim,
    shader: 'score-external',
    defines: { EXT_SCORE: true, EXT_X0: false },
    evalPoint: (x, off, t, s, x0) => target.evalPoint(x, off, t, s, x0),
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice, run?: ScoreRunContext): ScoreBindings {
      if (!run) throw new MidstepError(`the score pass of ${target.name} needs the run's context (particles, rows, state)`);
      checkExternalKernels(`the score pass of ${target.name}`, run.kernels);
      const scores = device.createBuffer({ label: `${target.name} scores`, size: Math.max(16, 4 * run.particles * target.dim), usage: GPUBufferUsage.STORAGE });
      // time slot 1 of each row (row.c[4]) is the time the kernel's one model_eval is at
      const passes = kernel.runTimes(run.state, scores, run.particles, run.rows.map((r) => r.c[4]!), (d) => device.createBuffer(d));
      return {
        entries: [{ binding: 0, resource: { buffer: scores } }],
        destroy: () => {
          scores.destroy();
          passes.destroy();
        },
        encodeBeforeRow: (encoder, i) => {
          const k = run.kernels[run.rows[i]!.kernel]!;
          if (!k.wantScore && !k.wantX0) return; // this row's kernel does not read the score
          const pass = encoder.beginComputePass({ label: `score pass ${i}` });
          passes.encode(pass, i);
          pass.end();
        },
      };
    },
  };
}
