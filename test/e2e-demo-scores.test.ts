/**
 * The demo page's score-model targets in headless Chromium on its WebGPU adapter (SwiftShader on
 * machines without a GPU), chosen by query parameter: MNIST with the exact empirical score (a small
 * subset: 10 digits per class, 16 particles) shows a grid of digits that are close to training
 * digits and replays them as they form; the two-moons MLP and the banana user-WGSL score put their
 * particles on the data. Screenshots are saved to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { preview, type PreviewServer } from 'vite';
import { mnistSubset, nearestPoint } from '../src/data/mnist-node.js';
import { toyDataset } from '../src/data/toy2d.js';
import { decodeNpy } from '../src/io/npy.js';
import { downloadVia } from './helpers/downloads.js';

const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);

let server: PreviewServer;
let browser: Browser;
let url: string;
const work = mkdtempSync(join(tmpdir(), 'midstep-e2e-scores-'));

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('no Chromium found: install Debian\'s chromium or set PUPPETEER_EXECUTABLE_PATH');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  url = server.resolvedUrls!.local[0]!;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens `query` on the page, waits for it to finish its run, screenshots it, and checks it is done. */
async function runPage(query: string, shot: string): Promise<{ page: Page; downloads: string }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1300, height: 900 });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  const downloads = mkdtempSync(join(work, 'dl-'));
  const cdp = await page.createCDPSession();
  await cdp.send('Page.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  await page.goto(`${url}?${query}`);
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.body.dataset.state ?? ''), { timeout: 240_000, polling: 250 });
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/${shot}.png`, fullPage: true });
  const state = await page.evaluate(() => document.body.dataset.state);
  expect(state, `${await page.$eval('#error', (e) => e.textContent)}\n${logs.join('\n')}`).toBe('done');
  return { page, downloads };
}

/** The particles of a sampler's run, through its .npy download button. */
async function npyOf(page: Page, dir: string, sampler: string) {
  const file = await downloadVia(page, dir, `#score-results tr[data-sampler="${sampler}"] button.dl-npy`);
  return decodeNpy(new Uint8Array(file.bytes));
}

/** Mean ink (0..1) of every cell of a digit-grid canvas. */
function cellInk(page: Page, title: string): Promise<number[]> {
  return page.evaluate((title) => {
    const c = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.digits')).find((x) => x.dataset.title === title)!;
    const n = Number(c.dataset.cells), cols = Number(c.dataset.cols), cell = Number(c.dataset.cell), gap = Number(c.dataset.gap);
    const { data, width } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return Array.from({ length: n }, (_, k) => {
      const ox = gap + (k % cols) * (cell + gap), oy = gap + Math.floor(k / cols) * (cell + gap);
      let s = 0;
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) s += data[4 * ((oy + y) * width + ox + x)]! / 255;
      return s / (cell * cell);
    });
  }, title);
}

const SAMPLERS = ['ddim', 'randomized-midpoint'];

describe('demo page, score-model targets', () => {
  it('MNIST: a grid of sampled digits, each close to a training digit, replayed as they form', async () => {
    const { page, downloads } = await runPage(`target=mnist&digits=10&particles=16&nfe=10&seed=3&samplers=${SAMPLERS.join(',')}`, 'demo-mnist');
    const out = await page.evaluate(() => window.midstep);
    expect(out.settings!.target).toBe('mnist');
    expect(out.settings!.dim).toBe(784);
    expect(out.reference).toEqual({ name: 'mnist-10x10', points: 100, delta: 1e-4 });
    expect(out.results.map((r) => r.name)).toEqual(SAMPLERS);
    expect(await page.$eval('#score-results', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#results', (e) => (e as HTMLElement).hidden)).toBe(true);
    const titles = await page.$$eval('canvas.digits', (c) => c.map((x) => x.dataset.title!));
    expect(titles.length).toBe(1 + SAMPLERS.length);
    const data = mnistSubset(10);
    // x_delta = m x_i + sigma z: about sigma sqrt(d) = 0.40 from its training digit x_i; distinct digits are several units apart
    const noise = Math.sqrt(-Math.expm1(-2e-4) * 784);
    for (const [i, r] of out.results.entries()) {
      expect(r.rounds).toBe(10);
      expect(r.metrics.noise).toBeCloseTo(noise, 6);
      expect(r.metrics.nearestMax, r.name).toBeLessThan(2 * noise);
      const ink = await cellInk(page, titles[i + 1]!);
      // every cell holds a digit: MNIST digits average about 0.13 ink; a blank cell has none
      expect(ink.filter((v) => v > 0.05).length, `${r.name} ink ${ink.map((v) => v.toFixed(2))}`).toBe(16);
      expect(Math.max(...ink)).toBeLessThan(0.4);
      // the page's particles, checked here against the training digits
      const x = await npyOf(page, downloads, r.name);
      expect([x.rows, x.cols]).toEqual([16, 784]);
      const nearest = Array.from({ length: 16 }, (_, p) => nearestPoint(data, x.data, p * 784));
      const shown = JSON.parse(await page.$eval(`canvas.digits[data-title="${titles[i + 1]}"]`, (c) => (c as HTMLCanvasElement).dataset.nearest!)) as number[];
      nearest.forEach((n, p) => expect(Math.abs(n.distance - shown[p]!)).toBeLessThan(1e-3));
      expect(Math.max(...nearest.map((n) => n.distance))).toBeLessThan(2 * noise);
      // the samples are different training digits, not one digit repeated
      expect(new Set(nearest.map((n) => n.index)).size).toBeGreaterThan(8);
    }
    const ink0 = await cellInk(page, titles[0]!);
    expect(ink0.filter((v) => v > 0.05).length).toBe(16);
    // replay: round 0 is x_T ~ N(0, I), clamped to [0, 1]: mean ink E[clamp(z, 0, 1)] = 0.316 (sd about 0.013 over 784 pixels);
    // the last round shows the digits again (mean ink about 0.13)
    const setRound = (r: number) => page.$eval('#replay', (el, r) => {
      (el as HTMLInputElement).value = String(r);
      el.dispatchEvent(new Event('input'));
    }, r);
    expect(await page.$eval('#replay', (el) => Number((el as HTMLInputElement).max))).toBe(10);
    const final = await cellInk(page, titles[1]!);
    await setRound(0);
    expect(await page.$eval('#replay-label', (e) => e.textContent)).toMatch(/^round 0 of 10/);
    const noiseInk = await cellInk(page, titles[1]!);
    for (const v of noiseInk) expect(v).toBeGreaterThan(0.26);
    await setRound(10);
    const back = await cellInk(page, titles[1]!);
    expect(back).toEqual(final);
    await page.close();
  });

  it('two-moons MLP and banana: particles land on the data for the chosen samplers; MNIST chosen with the controls', async () => {
    const moonSamplers = ['ddim', 'heun', 'poisson-midpoint'];
    const { page, downloads } = await runPage(`target=two-moons-mlp&particles=2000&nfe=50&seed=2&samplers=${moonSamplers.join(',')}`, 'demo-two-moons');
    const out = await page.evaluate(() => window.midstep);
    expect(out.results.map((r) => r.name)).toEqual(moonSamplers);
    expect(await page.$$eval('canvas.density', (c) => c.length)).toBe(1 + moonSamplers.length);
    const data = toyDataset('two-moons', 4000, 77);
    const ref = { name: 'two-moons', n: 4000, dim: 2, points: data };
    for (const r of out.results) {
      // two draws of the data: about 0.05 (test/mlp-score.test.ts)
      expect(r.metrics.sw2Reference, r.name).toBeLessThan(0.15);
      const x = await npyOf(page, downloads, r.name);
      const far = Array.from({ length: 2000 }, (_, p) => nearestPoint(ref, x.data, 2 * p).distance).filter((v) => v > 0.25).length;
      expect(far / 2000, r.name).toBeLessThan(0.05);
    }
    await page.close();

    const b = await runPage('target=banana&particles=2000&nfe=20&seed=2&samplers=randomized-midpoint', 'demo-banana');
    const res = await b.page.evaluate(() => window.midstep.results);
    expect(res.length).toBe(1);
    expect(res[0]!.metrics.sw2Reference).toBeLessThan(0.15);

    // MNIST chosen with the controls: its defaults come in (36 particles, no sweep), the digits field shows
    const p = b.page;
    expect(await p.$eval('#digits-label', (e) => (e as HTMLElement).hidden)).toBe(true);
    await p.select('#target', 'mnist');
    expect(await p.$eval('#particles', (e) => (e as HTMLInputElement).value)).toBe('36');
    expect(await p.$eval('#sweep', (e) => (e as HTMLInputElement).checked)).toBe(false);
    expect(await p.$eval('#digits-label', (e) => (e as HTMLElement).hidden)).toBe(false);
    await p.evaluate(() => {
      for (const b of Array.from(document.querySelectorAll<HTMLInputElement>('input[name=sampler]'))) b.checked = b.value === 'ddim';
      const set = (id: string, v: string) => ((document.getElementById(id) as HTMLInputElement).value = v);
      set('digits', '5');
      set('particles', '9');
      set('nfe', '5');
    });
    await p.click('#run');
    await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? '') && window.midstep.settings?.target === 'mnist', { timeout: 120_000, polling: 250 });
    const m = await p.evaluate(() => window.midstep);
    expect(m.state, await p.$eval('#error', (e) => e.textContent)).toBe('done');
    expect(m.reference).toEqual({ name: 'mnist-5x10', points: 50, delta: 1e-4 });
    expect(m.results.map((r) => [r.name, r.particles, r.rounds])).toEqual([['ddim', 9, 5]]);
    expect(m.results[0]!.metrics.nearestMax).toBeLessThan(2 * m.results[0]!.metrics.noise!);
    const grids = await p.$$eval('canvas.digits', (c) => c.map((x) => x.dataset.title!));
    expect(grids.length).toBe(2);
    expect((await cellInk(p, grids[1]!)).filter((v) => v > 0.05).length).toBe(9);
    await p.close();
  });

  it('without WebGPU refuses a score-model target with a message', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}?webgpu=off&target=banana&particles=100&samplers=ddim`);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), { timeout: 60_000, polling: 250 });
    expect(await page.evaluate(() => window.midstep.backend)).toBe('cpu');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await page.$eval('#error', (e) => e.textContent)).toMatch(/target banana: a score model needs WebGPU/);
    await page.close();
  });
});
