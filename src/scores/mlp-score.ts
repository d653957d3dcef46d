/**
 * An MLP score network as a {@link ScoreModel}: eps_theta(x, t) from a small fully connected
 * network whose input is x and a Fourier embedding of log t, read from a safetensors file
 * (layers, widths and activation come from the file). The network predicts the noise, so
 *   s_t(x) = -eps / sigma_t,   x0hat = (x - sigma_t eps) / m_t.
 *
 * File layout (written by scripts/train-mlp.ts): tensors `time.frequencies` [K],
 * `layers.{l}.weight` [out, in] and `layers.{l}.bias` [out] for l = 0..L-1, with
 * in_0 = d + 2K (x, sin(f_k log t), cos(f_k log t)) and out_{L-1} = d; metadata
 * `format` = "midstep-mlp", `activation` = silu | relu | tanh (hidden layers; the last is linear),
 * `output` = "eps".
 */
import { FileFormatError } from '../errors.js';
import { parseSafetensors, type Safetensors, type Tensor } from '../io/safetensors.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/** Activations of the hidden layers. */
export const ACTIVATIONS = ['silu', 'relu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** One affine layer: out x in weights, row-major. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
}

/** The weights of an MLP score network. */
export interface MlpWeights {
  name: string;
  dim: number;
  activation: Activation;
  /** Frequencies f_k of the time embedding sin(f_k log t), cos(f_k log t). */
  frequencies: Float32Array;
  layers: DenseLayer[];
  /** The file's metadata (training settings, dataset). */
  metadata: Record<string, string>;
}

/** Widest layer the WGSL kernel holds in private memory. */
export const MAX_MLP_WIDTH = 256;

/**
 * Reads MLP weights from parsed safetensors.
 * @throws FileFormatError naming the missing or mismatched tensor or metadata field.
 */
export function mlpFromSafetensors(st: Safetensors, name = 'mlp'): MlpWeights {
  const bad = (what: string): never => {
    throw new FileFormatError(`${name}: not a midstep MLP: ${what}`);
  };
  const md = st.metadata;
  if (md.format !== 'midstep-mlp') bad(`metadata format is ${JSON.stringify(md.format)}, expected "midstep-mlp"`);
  if (md.output !== 'eps') bad(`metadata output is ${JSON.stringify(md.output)}, expected "eps"`);
  const activation = md.activation as Activation;
  if (!ACTIVATIONS.includes(activation)) bad(`metadata activation is ${JSON.stringify(md.activation)}, expected one of ${ACTIVATIONS.join(', ')}`);
  const get = (key: string, rank: number): Tensor => {
    const t = st.tensors.get(key);
    if (!t) bad(`tensor "${key}" is missing`);
    if (t!.shape.length !== rank) bad(`tensor "${key}" has shape [${t!.shape}], expected rank ${rank}`);
    const i = t!.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) bad(`tensor "${key}" has the non-finite value ${t!.data[i]} at index ${i}, expected finite weights`);
    return t!;
  };
  const frequencies = get('time.frequencies', 1).data;
  const layers: DenseLayer[] = [];
  for (let l = 0; st.tensors.has(`layers.${l}.weight`); l++) {
    const w = get(`layers.${l}.weight`, 2), b = get(`layers.${l}.bias`, 1);
    const [outputs, inputs] = w.shape as [number, number];
    if (b.shape[0] !== outputs) bad(`tensor "layers.${l}.bias" has ${b.shape[0]} entries, expected ${outputs} (the rows of layers.${l}.weight)`);
    if (l > 0 && inputs !== layers[l - 1]!.outputs) bad(`layers.${l}.weight has ${inputs} columns, expected ${layers[l - 1]!.outputs} (the outputs of layer ${l - 1})`);
    if (Math.max(inputs, outputs) > MAX_MLP_WIDTH) bad(`layer ${l} is ${outputs} x ${inputs}, wider than ${MAX_MLP_WIDTH}`);
    layers.push({ inputs, outputs, weight: w.data, bias: b.data });
  }
  if (layers.length === 0) bad('tensor "layers.0.weight" is missing');
  const dim = layers.at(-1)!.outputs;
  if (layers[0]!.inputs !== dim + 2 * frequencies.length) {
    bad(`layers.0.weight has ${layers[0]!.inputs} columns, expected d + 2K = ${dim + 2 * frequencies.length} (d = ${dim} outputs of the last layer, K = ${frequencies.length} frequencies)`);
  }
  return { name, dim, activation, frequencies, layers, metadata: md };
}

/** Parses a safetensors file's bytes into MLP weights named `name`; errors name `source` (the file). */
export function parseMlp(bytes: Uint8Array, name = 'mlp', source = name): MlpWeights {
  const w = mlpFromSafetensors(parseSafetensors(bytes, source), source);
  return { ...w, name };
}

function activate(a: Activation, v: number): number {
  if (a === 'silu') return v / (1 + Math.exp(-v));
  if (a === 'relu') return Math.max(0, v);
  return Math.tanh(v);
}

/** Float64 forward pass: eps_theta(x[off..off+d], t) into `out`. */
export function mlpForward(w: MlpWeights, x: ArrayLike<number>, off: number, t: number, out: Float64Array): void {
  const K = w.frequencies.length, tau = Math.log(t);
  let h = new Float64Array(w.dim + 2 * K);
  for (let j = 0; j < w.dim; j++) h[j] = x[off + j]!;
  for (let k = 0; k < K; k++) {
    h[w.dim + k] = Math.sin(w.frequencies[k]! * tau);
    h[w.dim + K + k] = Math.cos(w.frequencies[k]! * tau);
  }
  w.layers.forEach((L, l) => {
    const g = new Float64Array(L.outputs);
    for (let o = 0; o < L.outputs; o++) {
      let acc = L.bias[o]!;
      for (let i = 0; i < L.inputs; i++) acc += L.weight[o * L.inputs + i]! * h[i]!;
      g[o] = l < w.layers.length - 1 ? activate(w.activation, acc) : acc;
    }
    h = g;
  });
  out.set(h);
}

/** Packs frequencies then each layer's weight and bias into one float32 array; returns the offsets. */
export function packMlp(w: MlpWeights): { data: Float32Array<ArrayBuffer>; layerTable: number[][] } {
  const total = w.frequencies.length + w.layers.reduce((a, L) => a + L.weight.length + L.bias.length, 0);
  const data = new Float32Array(Math.max(4, total));
  data.set(w.frequencies, 0);
  let p = w.frequencies.length;
  const layerTable = w.layers.map((L) => {
    const row = [L.inputs, L.outputs, p, p + L.weight.length];
    data.set(L.weight, p);
    data.set(L.bias, p + L.weight.length);
    p += L.weight.length + L.bias.length;
    return row;
  });
  return { data, layerTable };
}

/** The MLP as a score model (GPU kernel shaders/score-mlp.wgsl and its float64 forward pass). */
export function mlpScoreModel(w: MlpWeights): ScoreModel {
  const { data, layerTable } = packMlp(w);
  const eps = new Float64Array(w.dim);
  const maxWidth = Math.max(w.layers[0]!.inputs, ...w.layers.map((L) => L.outputs));
  return {
    name: w.name,
    dim: w.dim,
    shader: 'score-mlp',
    defines: {
      NFREQ: w.frequencies.length,
      NLAYERS: w.layers.length,
      MAXW: maxWidth,
      LAYER_TABLE: layerTable.map((r) => `vec4<u32>(${r.map((v) => `${v}u`).join(', ')})`).join(', '),
      ACT_SILU: w.activation === 'silu',
      ACT_RELU: w.activation === 'relu',
    },
    evalPoint: (x, off, t, s, x0) => {
      mlpForward(w, x, off, t, eps);
      const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t), sig = Math.sqrt(sig2);
      for (let j = 0; j < w.dim; j++) {
        if (s) s[j] = -eps[j]! / sig;
        if (x0) x0[j] = (x[off + j]! - sig * eps[j]!) / m;
      }
    },
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice): ScoreBindings {
      const buffer = device.createBuffer({ label: `mlp ${w.name}`, size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, data);
      return { entries: [{ binding: 0, resource: { buffer } }], destroy: () => buffer.destroy() };
    },
  };
}
