/**
 * Trains a small MLP score network by denoising score matching on a generated 2-D dataset and
 * writes it as safetensors (the format src/scores/mlp-score.ts reads). CPU, float64, Adam.
 *
 *   npx tsx scripts/train-mlp.ts --dataset two-moons --out models/two-moons.safetensors
 *       [--width 32] [--depth 3] [--steps 6000] [--batch 256] [--lr 3e-3] [--activation silu] [--seed 1]
 *
 * Loss (eps prediction, weighting 1 in log t): E_{x0, t, z} |eps_theta(m x0 + sigma z, t) - z|^2 with
 * log t ~ U[log 1e-3, log 10] (the samplers' default time range).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeSafetensors, type Tensor } from '../src/io/safetensors.js';
import { toyDataset, TOY_DATASETS, uniforms, type ToyDatasetName } from '../src/data/toy2d.js';
import { ACTIVATIONS, type Activation } from '../src/scores/mlp-score.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'two-moons' }, out: { type: 'string' }, width: { type: 'string', default: '32' },
    depth: { type: 'string', default: '3' }, steps: { type: 'string', default: '6000' }, batch: { type: 'string', default: '256' },
    lr: { type: 'string', default: '3e-3' }, activation: { type: 'string', default: 'silu' }, seed: { type: 'string', default: '1' },
    freqs: { type: 'string', default: '6' },
  },
});
const dataset = values.dataset as ToyDatasetName;
if (!TOY_DATASETS.includes(dataset)) throw new Error(`--dataset ${dataset}: expected one of ${TOY_DATASETS.join(', ')}`);
const act = values.activation as Activation;
if (!ACTIVATIONS.includes(act)) throw new Error(`--activation ${act}: expected one of ${ACTIVATIONS.join(', ')}`);
const out = values.out ?? `models/${dataset}.safetensors`;
const W = Number(values.width), depth = Number(values.depth), steps = Number(values.steps), B = Number(values.batch);
const lr0 = Number(values.lr), seed = Number(values.seed), K = Number(values.freqs);
const d = 2, T_MIN = 1e-3, T_MAX = 10;

// time embedding frequencies, geometric from 0.25 to 4 (log t spans about 9.2)
const freqs = Float64Array.from({ length: K }, (_, k) => 0.25 * Math.pow(16, k / Math.max(1, K - 1)));
const widths = [d + 2 * K, ...Array<number>(depth).fill(W), d];
const u = uniforms(seed);
const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());

interface Layer { nin: number; nout: number; w: Float64Array; b: Float64Array; gw: Float64Array; gb: Float64Array; mw: Float64Array; vw: Float64Array; mb: Float64Array; vb: Float64Array }
const layers: Layer[] = widths.slice(1).map((nout, l) => {
  const nin = widths[l]!;
  const scale = Math.sqrt(2 / nin);
  return {
    nin, nout,
    w: Float64Array.from({ length: nin * nout }, () => gauss() * scale * (l === depth ? 0.1 : 1)),
    b: new Float64Array(nout), gw: new Float64Array(nin * nout), gb: new Float64Array(nout),
    mw: new Float64Array(nin * nout), vw: new Float64Array(nin * nout), mb: new Float64Array(nout), vb: new Float64Array(nout),
  };
});
const f = (v: number) => (act === 'silu' ? v / (1 + Math.exp(-v)) : act === 'relu' ? Math.max(0, v) : Math.tanh(v));
const df = (v: number) => {
  if (act === 'silu') { const s = 1 / (1 + Math.exp(-v)); return s * (1 + v * (1 - s)); }
  if (act === 'relu') return v > 0 ? 1 : 0;
  const th = Math.tanh(v); return 1 - th * th;
};

const data = toyDataset(dataset, 20000, seed + 1000);
const N = data.length / 2;
// activations per layer: a[0] = input, z[l] = pre-activation of layer l
const a = widths.map((w) => new Float64Array(B * w));
const z = widths.slice(1).map((w) => new Float64Array(B * w));
const delta = widths.map((w) => new Float64Array(B * w));
const target = new Float64Array(B * d);
const started = performance.now();
let ema = 0;
for (let step = 1; step <= steps; step++) {
  for (let i = 0; i < B; i++) {
    const j = Math.floor(u() * N);
    const t = Math.exp(Math.log(T_MIN) + u() * Math.log(T_MAX / T_MIN));
    const m = Math.exp(-t), sig = Math.sqrt(-Math.expm1(-2 * t)), tau = Math.log(t);
    const inp = a[0]!, o = i * widths[0]!;
    for (let c = 0; c < d; c++) {
      const e = gauss();
      target[i * d + c] = e;
      inp[o + c] = m * data[2 * j + c]! + sig * e;
    }
    for (let k = 0; k < K; k++) {
      inp[o + d + k] = Math.sin(freqs[k]! * tau);
      inp[o + d + K + k] = Math.cos(freqs[k]! * tau);
    }
  }
  // forward
  layers.forEach((L, l) => {
    const x = a[l]!, zz = z[l]!, y = a[l + 1]!, last = l === layers.length - 1;
    for (let i = 0; i < B; i++) {
      for (let o = 0; o < L.nout; o++) {
        let s = L.b[o]!;
        const row = o * L.nin, xi = i * L.nin;
        for (let c = 0; c < L.nin; c++) s += L.w[row + c]! * x[xi + c]!;
        zz[i * L.nout + o] = s;
        y[i * L.nout + o] = last ? s : f(s);
      }
    }
  });
  // loss and output gradient
  const outA = a[layers.length]!, dOut = delta[layers.length]!;
  let loss = 0;
  for (let i = 0; i < B * d; i++) {
    const r = outA[i]! - target[i]!;
    loss += r * r;
    dOut[i] = (2 * r) / (B * d);
  }
  ema = step === 1 ? loss / (B * d) : 0.99 * ema + 0.01 * (loss / (B * d));
  // backward
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l]!, dy = delta[l + 1]!, x = a[l]!, zz = z[l]!, dx = delta[l]!, last = l === layers.length - 1;
    L.gw.fill(0);
    L.gb.fill(0);
    dx.fill(0);
    for (let i = 0; i < B; i++) {
      for (let o = 0; o < L.nout; o++) {
        const g = dy[i * L.nout + o]! * (last ? 1 : df(zz[i * L.nout + o]!));
        if (g === 0) continue;
        L.gb[o]! += g;
        const row = o * L.nin, xi = i * L.nin;
        for (let c = 0; c < L.nin; c++) {
          L.gw[row + c]! += g * x[xi + c]!;
          dx[xi + c]! += g * L.w[row + c]!;
        }
      }
    }
  }
  // Adam with cosine decay
  const lr = lr0 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / steps)));
  const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
  for (const L of layers) {
    for (const [p, g, m, v] of [[L.w, L.gw, L.mw, L.vw], [L.b, L.gb, L.mb, L.vb]] as const) {
      for (let i = 0; i < p.length; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
        p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
      }
    }
  }
  if (step % 500 === 0 || step === steps) {
    process.stderr.write(`step ${step}/${steps}  loss (EMA) ${ema.toFixed(4)}  ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

const tensors: Record<string, Tensor> = { 'time.frequencies': { shape: [K], data: Float32Array.from(freqs) } };
layers.forEach((L, l) => {
  tensors[`layers.${l}.weight`] = { shape: [L.nout, L.nin], data: Float32Array.from(L.w) };
  tensors[`layers.${l}.bias`] = { shape: [L.nout], data: Float32Array.from(L.b) };
});
const bytes = encodeSafetensors(tensors, {
  format: 'midstep-mlp', output: 'eps', activation: act, dataset, width: String(W), depth: String(depth),
  steps: String(steps), batch: String(B), lr: String(lr0), seed: String(seed), final_loss: ema.toFixed(5),
  trained_by: 'scripts/train-mlp.ts',
});
writeFileSync(out, bytes);
process.stderr.write(`wrote ${out} (${bytes.byteLength} bytes)\n`);
