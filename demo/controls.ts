/**
 * The demo's controls: target (preset or uploaded JSON), samplers and their options, nfe,
 * particles, seed and the error-against-nfe sweep. Initial values come from the query string
 * (`?target=grid2d&samplers=ddim,heun&nfe=10&particles=5000&seed=2&sweep=0`) or the defaults.
 * Besides the Gaussian-mixture presets the target select offers the score-model targets
 * (demo/score-targets.ts: `?target=mnist&digits=10`, `two-moons-mlp`, `banana`).
 */
import { MidstepError, RunOptionError, TargetError } from '../src/errors.js';
import { MAX_NFE } from '../src/run-request.js';
import { SAMPLERS } from '../src/samplers/index.js';
import type { SamplerDefinition } from '../src/samplers/types.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import { loadTarget, PRESETS } from '../src/targets/presets.js';
import { isScoreTarget, MNIST_DEFAULT_PER_CLASS, MNIST_MAX_PER_CLASS, SCORE_DEFAULTS, SCORE_TARGETS, type ScoreTargetName } from './score-targets.js';

/** The default comparison. */
export const DEFAULTS = {
  target: 'ring2d', particles: 20_000, nfe: 20, seed: 1,
  samplers: ['ddim', 'randomized-midpoint', 'poisson-midpoint'],
  sweep: true, sweepNfe: [5, 10, 20, 40], sweepParticles: 4000,
};

/** Everything one press of Run needs. */
export interface DemoSettings {
  /** The Gaussian-mixture target, or null for a score-model target (then `score` names it). */
  target: GaussianMixture | null;
  score: ScoreTargetName | null;
  /** MNIST digits per class to load. */
  digits: number;
  samplers: { name: string; options: Record<string, number | string> }[];
  nfe: number;
  particles: number;
  seed: number;
  sweep: { nfes: number[]; particles: number } | null;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function integer(id: string, field: string, min: number, max: number): number {
  const el = $<HTMLInputElement>(id), v = Number(el.value);
  if (el.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new RunOptionError(field, el.value, `an integer in ${min} .. ${max}`);
  return v;
}

/** Parses "5, 10, 20" into distinct sorted integers in 1 .. MAX_NFE. */
export function parseNfeList(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((s) => s.length);
  const nums = parts.map(Number);
  if (!parts.length || nums.some((v) => !Number.isInteger(v) || v < 1 || v > MAX_NFE)) {
    throw new RunOptionError('sweep nfe list', text, `comma-separated integers in 1 .. ${MAX_NFE}`);
  }
  return [...new Set(nums)].sort((a, b) => a - b);
}

export class Controls {
  private uploaded: GaussianMixture | null = null;
  private particleLimit = Infinity;

  constructor(private readonly onError: (message: string) => void) {
    const q = new URLSearchParams(location.search);
    const select = $<HTMLSelectElement>('target');
    for (const name of Object.keys(PRESETS)) select.add(new Option(`${name}: ${PRESETS[name]!.description}`, name));
    const scores = document.createElement('optgroup');
    scores.label = 'score models (no analytic density)';
    for (const [name, text] of Object.entries(SCORE_TARGETS)) scores.append(new Option(`${name}: ${text}`, name));
    select.append(scores);
    const qt = q.get('target');
    select.value = qt && (qt in PRESETS || isScoreTarget(qt)) ? qt : DEFAULTS.target;
    select.addEventListener('change', () => {
      this.describeTarget();
      this.scoreDefaults(false);
    });
    $<HTMLInputElement>('target-file').addEventListener('change', (e) => void this.upload((e.target as HTMLInputElement).files?.[0]));
    const set = (id: string, key: string, fallback: string) => ($<HTMLInputElement>(id).value = q.get(key) ?? fallback);
    set('nfe', 'nfe', String(DEFAULTS.nfe));
    set('particles', 'particles', String(DEFAULTS.particles));
    set('seed', 'seed', String(DEFAULTS.seed));
    set('sweep-nfe', 'sweepNfe', DEFAULTS.sweepNfe.join(', '));
    set('sweep-particles', 'sweepParticles', String(DEFAULTS.sweepParticles));
    set('digits', 'digits', String(MNIST_DEFAULT_PER_CLASS));
    $<HTMLInputElement>('sweep').checked = q.get('sweep') !== '0';
    this.scoreDefaults(true);
    const chosen = q.get('samplers')?.split(',') ?? DEFAULTS.samplers;
    const box = $('samplers');
    for (const s of SAMPLERS) box.append(this.samplerRow(s, chosen.includes(s.name)));
    this.describeTarget();
  }

  /** A checkbox for the sampler and, while it is checked, inputs for its options. */
  private samplerRow(s: SamplerDefinition, checked: boolean): HTMLElement {
    const row = document.createElement('div');
    row.className = 'sampler';
    row.dataset.sampler = s.name;
    const label = document.createElement('label');
    label.title = `${s.description}\n${s.source}`;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'sampler';
    box.value = s.name;
    box.checked = checked;
    label.append(box, ` ${s.name}`);
    const opts = document.createElement('div');
    opts.className = 'sampler-opts';
    for (const o of s.options) {
      const l = document.createElement('label');
      l.title = o.description;
      let input: HTMLInputElement | HTMLSelectElement;
      if (o.type === 'enum') {
        input = document.createElement('select');
        for (const v of o.values!) input.add(new Option(v, v));
      } else {
        input = document.createElement('input');
        input.type = 'number';
        if (o.min !== undefined) input.min = String(o.min);
        if (o.max !== undefined) input.max = String(o.max);
        input.step = o.type === 'integer' ? '1' : 'any';
      }
      input.value = String(o.default);
      input.dataset.option = o.name;
      input.dataset.type = o.type;
      l.append(`${o.name} `, input);
      opts.append(l);
    }
    opts.hidden = !checked;
    box.addEventListener('change', () => (opts.hidden = !box.checked));
    row.append(label);
    if (s.options.length) row.append(opts);
    return row;
  }

  private async upload(file: File | undefined): Promise<void> {
    if (!file) return;
    const select = $<HTMLSelectElement>('target');
    try {
      const text = await file.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new TargetError(file.name, text.slice(0, 40), 'a file of valid JSON', (e as Error).message);
      }
      this.uploaded = loadTarget(json as object);
      let opt = Array.from(select.options).find((o) => o.value === '__uploaded');
      if (!opt) select.add((opt = new Option('', '__uploaded')));
      opt.text = `uploaded: ${file.name} (${this.uploaded.name})`;
      select.value = '__uploaded';
      select.dispatchEvent(new Event('change'));
    } catch (e) {
      $<HTMLInputElement>('target-file').value = '';
      const msg = `Target file ${file.name} rejected: ${e instanceof Error ? e.message : String(e)}`;
      $('target-info').textContent = msg;
      $('target-info').classList.add('bad');
      this.onError(msg);
    }
  }

  /** The chosen score-model target, or null for a Gaussian mixture. */
  scoreTarget(): ScoreTargetName | null {
    const v = $<HTMLSelectElement>('target').value;
    return isScoreTarget(v) ? v : null;
  }

  /** The chosen Gaussian-mixture target. @throws when a score-model target is chosen. */
  target(): GaussianMixture {
    const v = $<HTMLSelectElement>('target').value;
    if (v === '__uploaded' && this.uploaded) return this.uploaded;
    return loadTarget(v);
  }

  /** Dimension of the chosen target. */
  dim(): number {
    const s = this.scoreTarget();
    return s === 'mnist' ? 784 : s ? 2 : this.target().dim;
  }

  /** On choosing a score target: its particles and nfe (the query string's at load), and no sweep (it needs an analytic target). */
  private scoreDefaults(initial: boolean): void {
    const s = this.scoreTarget();
    $('digits-label').hidden = s !== 'mnist';
    if (!s) return;
    const q = new URLSearchParams(location.search);
    if (!initial || !q.has('particles')) $<HTMLInputElement>('particles').value = String(SCORE_DEFAULTS[s].particles);
    if (!initial || !q.has('nfe')) $<HTMLInputElement>('nfe').value = String(SCORE_DEFAULTS[s].nfe);
    $<HTMLInputElement>('sweep').checked = false;
  }

  private describeTarget(): void {
    const info = $('target-info'), s = this.scoreTarget();
    info.classList.remove('bad');
    if (s) {
      info.textContent = `${s}: ${SCORE_TARGETS[s]}; sampled to delta = ${SCORE_DEFAULTS[s].delta}. No analytic density: ${s === 'mnist' ? 'each sample is shown with its distance to the nearest training digit' : 'sliced W2 is against the reference points shown'}. Needs WebGPU.`;
      return;
    }
    const t = this.target();
    info.textContent = `${t.name}: d = ${t.dim}, ${t.K} components${t.dim > 2 ? '; the plots show the first two coordinates' : ''}`;
  }

  /** Caps the particle input (the backend's limit) and says so. */
  setParticleLimit(max: number, note: string): void {
    this.particleLimit = max;
    $<HTMLInputElement>('particles').max = String(max);
    $('particles-hint').textContent = note;
  }

  /** Smaller defaults for the CPU fallback (unless the query string set them). */
  useCpuDefaults(): void {
    const q = new URLSearchParams(location.search);
    if (!q.has('particles')) $<HTMLInputElement>('particles').value = '2000';
    if (!q.has('sweepParticles')) $<HTMLInputElement>('sweep-particles').value = '1000';
    if (!q.has('sweepNfe')) $<HTMLInputElement>('sweep-nfe').value = '5, 10, 20';
  }

  /** Reads and checks every control. @throws a MidstepError naming the bad field. */
  read(): DemoSettings {
    const score = this.scoreTarget();
    const target = score ? null : this.target();
    const samplers = Array.from(document.querySelectorAll<HTMLElement>('#samplers .sampler'))
      .filter((row) => row.querySelector<HTMLInputElement>('input[name=sampler]')!.checked)
      .map((row) => {
        const options: Record<string, number | string> = {};
        for (const el of Array.from(row.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-option]'))) {
          options[el.dataset.option!] = el.dataset.type === 'enum' ? el.value : el.value.trim() === '' ? NaN : Number(el.value);
        }
        return { name: row.dataset.sampler!, options };
      });
    if (!samplers.length) throw new MidstepError('samplers: none chosen, expected at least one');
    const limit = Number.isFinite(this.particleLimit) ? this.particleLimit : 2 ** 32;
    const sweepOn = $<HTMLInputElement>('sweep').checked;
    return {
      target, score, samplers,
      digits: score === 'mnist' ? integer('digits', 'digits per class', 1, MNIST_MAX_PER_CLASS) : MNIST_DEFAULT_PER_CLASS,
      nfe: integer('nfe', 'nfe', 1, MAX_NFE),
      particles: integer('particles', 'particles', 2, limit),
      seed: integer('seed', 'seed', 0, Number.MAX_SAFE_INTEGER),
      sweep: sweepOn && !score ? { nfes: parseNfeList($<HTMLInputElement>('sweep-nfe').value), particles: integer('sweep-particles', 'sweep particles', 100, limit) } : null,
    };
  }

  /** Disables the inputs while a run is going. */
  setRunning(running: boolean): void {
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement>('#controls input, #controls select'))) el.disabled = running;
    $<HTMLButtonElement>('run').disabled = running;
    $<HTMLButtonElement>('cancel').disabled = !running;
  }
}
