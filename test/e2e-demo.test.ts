/**
 * The demo page in headless Chromium on its WebGPU adapter (SwiftShader on machines without a GPU):
 * it builds, is served on 127.0.0.1, runs its default comparison and sweep by itself, and its
 * results agree with the CLI's for the same seed and settings; its plots show the 8 ring modes;
 * its controls change the run; without WebGPU it says so and falls back to the CPU reference.
 * Screenshots are saved to test-artifacts/.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer';
import { preview, type PreviewServer } from 'vite';
import { decodeNpy } from '../src/io/npy.js';
import { sampleReference } from '../src/reference.js';
import { loadTarget } from '../src/targets/presets.js';
import { downloadVia } from './helpers/downloads.js';

const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
const SAMPLERS = ['ddim', 'randomized-midpoint', 'poisson-midpoint'];
const run = promisify(execFile);

let server: PreviewServer;
let browser: Browser;
let url: string;
const work = mkdtempSync(join(tmpdir(), 'midstep-e2e-'));

/** `midstep sample` (float64 reference backend: the same Philox noise as the GPU) + `midstep eval`, for the default comparison. */
async function cliMetrics(): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of SAMPLERS) {
    const file = join(work, `${s}.npy`);
    await run(process.execPath, ['bin/midstep.mjs', 'sample', '--target', 'ring2d', '--sampler', s, '--nfe', '20', '--particles', '20000', '--seed', '1', '--backend', 'cpu', '--out', file]);
    const { stdout } = await run(process.execPath, ['bin/midstep.mjs', 'eval', '--target', 'ring2d', '--samples', file, '--json']);
    out[s] = JSON.parse(stdout.trim().split('\n').pop()!).metrics;
  }
  return out;
}
let cli: Promise<Record<string, Record<string, number>>>;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('no Chromium found: install Debian\'s chromium or set PUPPETEER_EXECUTABLE_PATH');
  // the CLI's runs go on in the background while the page builds and runs
  cli = cliMetrics();
  cli.catch(() => undefined);
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

/** A page whose console is collected, downloading into its own folder. */
async function openPage(): Promise<{ page: Page; logs: string[]; downloads: string }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1300, height: 900 });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  const downloads = mkdtempSync(join(work, 'dl-'));
  const cdp = await page.createCDPSession();
  await cdp.send('Page.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  return { page, logs, downloads };
}

/** Waits until the page leaves "running" and returns its state. */
async function settle(page: Page, timeout = 300_000): Promise<string> {
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.body.dataset.state ?? ''), { timeout, polling: 250 });
  return page.evaluate(() => document.body.dataset.state!);
}

/**
 * Ink (0 = white .. 1 = full colour) of a density canvas, sampled around given points and over the
 * whole canvas split by radius: returns the mean ink within `radius` of each point and the share
 * of all ink at distance < r0 or > r1 from the origin.
 */
async function inkAt(page: Page, title: string, points: [number, number][], radius: number, r0: number, r1: number) {
  return page.evaluate((title, points, radius, r0, r1) => {
    const c = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.density')).find((x) => x.dataset.title === title)!;
    const e = JSON.parse(c.dataset.extent!) as { x0: number; x1: number; y0: number; y1: number };
    const { data, width: W, height: H } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    const ink = (px: number) => (255 - data[4 * px]!) / 235;
    const xy = (col: number, row: number) => [e.x0 + ((col + 0.5) / W) * (e.x1 - e.x0), e.y1 - ((row + 0.5) / H) * (e.y1 - e.y0)] as const;
    const near = points.map(() => ({ sum: 0, n: 0 }));
    let total = 0, outside = 0;
    for (let row = 0; row < H; row++) for (let col = 0; col < W; col++) {
      const v = ink(row * W + col), [x, y] = xy(col, row), r = Math.hypot(x, y);
      total += v;
      if (r < r0 || r > r1) outside += v;
      points.forEach(([px, py], k) => {
        if (Math.hypot(x - px, y - py) < radius) (near[k]!.sum += v), near[k]!.n++;
      });
    }
    return { near: near.map((a) => a.sum / a.n), outsideShare: outside / total, total };
  }, title, points, radius, r0, r1);
}

const MODES: [number, number][] = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)]);

describe('demo page', () => {
  let page: Page, logs: string[], downloads: string;

  it('runs the default comparison and the sweep on WebGPU, agreeing with the CLI', async () => {
    ({ page, logs, downloads } = await openPage());
    const t0 = Date.now();
    await page.goto(url);
    const state = await settle(page);
    const wall = (Date.now() - t0) / 1000;
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/demo.png', fullPage: true });
    const error = await page.evaluate(() => document.getElementById('error')?.textContent);
    expect(state, `${error}\n${logs.join('\n')}`).toBe('done');
    const out = await page.evaluate(() => window.midstep);
    expect(out.backend).toBe('webgpu');
    expect(out.adapter).toMatch(/\w/);
    expect(await page.$eval('#adapter', (e) => e.textContent)).toBe(out.adapter);
    expect(out.results.map((r) => r.name)).toEqual(SAMPLERS);
    const ref = await cli;
    const lines: string[] = [];
    for (const r of out.results) {
      // poisson-midpoint reports its expected nfe M (2 - 1/K), just under the budget
      expect(Math.abs(r.nfe - 20)).toBeLessThanOrEqual(0.5);
      expect(r.rounds).toBe(20);
      expect(r.particles).toBe(20_000);
      expect(r.seconds).toBeGreaterThan(0);
      for (const m of ['sw2', 'modeTV', 'histTV']) {
        const v = r.metrics[m]!, c = ref[r.name]![m]!;
        expect(Number.isFinite(v), `${r.name} ${m}`).toBe(true);
        expect(v / c, `${r.name} ${m}: page ${v}, CLI ${c}`).toBeLessThan(3);
        expect(v / c, `${r.name} ${m}: page ${v}, CLI ${c}`).toBeGreaterThan(1 / 3);
        expect(Number.isFinite(r.floor[m]!)).toBe(true);
      }
      expect(r.metrics.modeTV).toBeLessThan(0.05);
      lines.push(`${r.name}: sw2 ${r.metrics.sw2!.toFixed(4)} (CLI ${ref[r.name]!.sw2!.toFixed(4)}, floor ${r.floor.sw2!.toFixed(4)}), modeTV ${r.metrics.modeTV!.toFixed(4)} (CLI ${ref[r.name]!.modeTV!.toFixed(4)}), ${r.seconds.toFixed(2)} s`);
    }
    console.log(`demo default comparison on ${out.adapter}, page done in ${wall.toFixed(1)} s:\n  ${lines.join('\n  ')}`);
    // the randomized midpoint (x0 form) is clearly better than DDIM at nfe 20 on ring2d (CLI: sw2 about 1.4x vs 2.9x the floor)
    expect(out.results[1]!.metrics.sw2).toBeLessThan(out.results[0]!.metrics.sw2!);

    // sweep: every sampler at every nfe, error falling from nfe 5 to 40, the floor band around its mean
    expect(out.sweep.length).toBe(12);
    for (const s of SAMPLERS) {
      const pts = out.sweep.filter((p) => p.name === s);
      expect(pts.map((p) => Math.round(p.nfe))).toEqual([4, 10, 20, 40].map((n) => (s === 'poisson-midpoint' ? n : n === 4 ? 5 : n)));
      for (const p of pts) expect(Number.isFinite(p.metrics.sw2!) && Number.isFinite(p.metrics.modeTV!)).toBe(true);
      expect(pts[3]!.metrics.sw2!).toBeLessThan(pts[0]!.metrics.sw2! / 2);
    }
    const band = out.sweepFloor.sw2!;
    expect(band.lo).toBeLessThanOrEqual(band.mean);
    expect(band.hi).toBeGreaterThanOrEqual(band.mean);
    expect(await page.$$eval('#charts svg', (s) => s.length)).toBe(2);

    // the plots: all 8 modes inked, little ink off the ring, for the target and every sampler
    const titles = await page.$$eval('canvas.density', (c) => c.map((x) => x.dataset.title!));
    expect(titles.length).toBe(4);
    for (const title of titles) {
      const ink = await inkAt(page, title, MODES, 0.25, 1.2, 2.8);
      expect(Math.min(...ink.near), `${title}: ink at the modes ${ink.near.map((v) => v.toFixed(2))}`).toBeGreaterThan(0.3);
      expect(ink.outsideShare, title).toBeLessThan(0.05);
    }
  });

  it('replays the run from x_T to the samples', async () => {
    const ddim = (await page.$$eval('canvas.density', (c) => c.map((x) => x.dataset.title!)))[1]!;
    const setRound = (r: number) => page.$eval('#replay', (el, r) => {
      (el as HTMLInputElement).value = String(r);
      el.dispatchEvent(new Event('input'));
    }, r);
    expect(await page.$eval('#replay', (el) => Number((el as HTMLInputElement).max))).toBe(20);
    await setRound(0);
    // x_T ~ N(0, I): about 39 % of the mass within radius 1, none of it on the modes yet
    const start = await inkAt(page, ddim, MODES, 0.25, 1.0, 100);
    expect(start.outsideShare).toBeGreaterThan(0.2);
    expect(await page.$eval('#replay-label', (e) => e.textContent)).toMatch(/^round 0 of 20/);
    await setRound(20);
    const end = await inkAt(page, ddim, MODES, 0.25, 1.0, 100);
    expect(end.outsideShare).toBeLessThan(0.02);
    // the play button steps through every round back to the final samples
    await setRound(0);
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('replay-label')!.textContent!.startsWith('round 5 of 20'), { timeout: 20_000, polling: 20 });
    await page.waitForFunction(() => document.getElementById('replay-label')!.textContent!.startsWith('round 20 of 20 (final'), { timeout: 20_000 });
  });

  it('offers the samples as .npy, the chart as SVG and the metrics as JSON', async () => {
    const npy = await downloadVia(page, downloads, 'tr[data-sampler="ddim"] button.dl-npy');
    expect(npy.name).toBe('ddim-ring2d-nfe20-seed1.npy');
    const arr = decodeNpy(new Uint8Array(npy.bytes));
    expect([arr.rows, arr.cols]).toEqual([20_000, 2]);
    // the same particles as the CLI's float64 reference run
    const cliSamples = decodeNpy(new Uint8Array(readFileSync(join(work, 'ddim.npy'))));
    let max = 0;
    for (let i = 0; i < arr.data.length; i++) max = Math.max(max, Math.abs(arr.data[i]! - cliSamples.data[i]!));
    expect(max).toBeLessThan(1e-3);
    const svg = await downloadVia(page, downloads, '#dl-svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*sliced W2[\s\S]*<\/svg>$/);
    const png = await downloadVia(page, downloads, '#dl-png');
    expect(png.name).toBe('midstep-error-vs-nfe.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.length).toBeGreaterThan(10_000);
    const json = JSON.parse((await downloadVia(page, downloads, '#dl-json')).bytes.toString('utf8'));
    expect(json.results.map((r: { name: string }) => r.name)).toEqual(SAMPLERS);
    expect(json.sweep.length).toBe(12);
  });

  it('reruns with the controls: sampler, nfe, particles and seed change the results accordingly', async () => {
    const first = await page.evaluate(() => window.midstep.results[0]!);
    // a bad value is refused with a visible message naming the field
    await page.$eval('#nfe', (el) => ((el as HTMLInputElement).value = '0'));
    await page.click('#run');
    expect(await settle(page, 10_000)).toBe('error');
    expect(await page.$eval('#error', (e) => ((e as HTMLElement).hidden ? '' : e.textContent))).toBe('nfe: got "0", expected an integer in 1 .. 100000');
    // only ddim and dpmpp-2m, nfe 10, 5000 particles, seed 7, no sweep
    await page.evaluate(() => {
      for (const b of Array.from(document.querySelectorAll<HTMLInputElement>('input[name=sampler]'))) b.checked = ['ddim', 'dpmpp-2m'].includes(b.value);
      const set = (id: string, v: string) => ((document.getElementById(id) as HTMLInputElement).value = v);
      set('nfe', '10');
      set('particles', '5000');
      set('seed', '7');
      (document.getElementById('sweep') as HTMLInputElement).checked = false;
    });
    await page.click('#run');
    expect(await settle(page, 120_000)).toBe('done');
    const out = await page.evaluate(() => window.midstep);
    expect(out.results.map((r) => [r.name, r.nfe, r.particles])).toEqual([['ddim', 10, 5000], ['dpmpp-2m', 10, 5000]]);
    expect(out.sweep).toEqual([]);
    // fewer steps: ddim is further from the target, in units of its floor (sweep: 0.171 at nfe 10 vs 0.088 at nfe 20)
    const ddim = out.results[0]!;
    expect(ddim.metrics.sw2! / ddim.floor.sw2!).toBeGreaterThan((first.metrics.sw2! / first.floor.sw2!) * 1.3);
    // the page's particles are the float64 reference's for seed 7, nfe 10
    const npy = decodeNpy(new Uint8Array((await downloadVia(page, downloads, 'tr[data-sampler="ddim"] button.dl-npy')).bytes));
    const ref = sampleReference({ target: loadTarget('ring2d'), sampler: 'ddim', nfe: 10, particles: 5000, seed: 7 });
    let max = 0;
    for (let i = 0; i < ref.samples.length; i++) max = Math.max(max, Math.abs(npy.data[i]! - ref.samples[i]!));
    expect(max).toBeLessThan(1e-3);
  });

  it('takes an uploaded target JSON, rejects a bad one with a clear message, and cancels a run', async () => {
    const bad = join(work, 'bad-target.json'), good = join(work, 'two-modes.json');
    writeFileSync(bad, JSON.stringify({ kind: 'gmm', weights: [0.5, 0.5], means: [[-1, 0], [1]], scales: [0.3, 0.3] }));
    writeFileSync(good, JSON.stringify({ kind: 'gmm', name: 'two-modes', weights: [0.5, 0.5], means: [[-1.5, 0], [1.5, 0]], scales: [0.3, 0.3] }));
    const input = (await page.$('#target-file')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(bad);
    await page.waitForFunction(() => !document.getElementById('error')!.hidden);
    expect(await page.$eval('#error', (e) => e.textContent)).toMatch(/bad-target\.json rejected: means\[1\]/);
    await input.uploadFile(good);
    await page.waitForFunction(() => document.getElementById('target-info')!.textContent!.startsWith('two-modes'));
    await page.evaluate(() => {
      for (const b of Array.from(document.querySelectorAll<HTMLInputElement>('input[name=sampler]'))) b.checked = b.value === 'ddim';
      (document.getElementById('particles') as HTMLInputElement).value = '4000';
    });
    await page.click('#run');
    expect(await settle(page, 120_000)).toBe('done');
    const out = await page.evaluate(() => window.midstep);
    expect(out.settings!.target).toBe('two-modes');
    expect(out.results[0]!.metrics.modeTV).toBeLessThan(0.05);
    expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);

    // cancel: a long run stops at the next batch
    await page.evaluate(() => {
      (document.getElementById('target') as HTMLSelectElement).value = 'ring2d';
      for (const b of Array.from(document.querySelectorAll<HTMLInputElement>('input[name=sampler]'))) b.checked = b.value === 'poisson-midpoint';
      (document.getElementById('particles') as HTMLInputElement).value = '100000';
    });
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('running poisson'));
    await page.click('#cancel');
    expect(await settle(page, 60_000)).toBe('cancelled');
    expect(await page.evaluate(() => window.midstep.results.length)).toBe(0);
    await page.close();
  });

  it('without WebGPU says so, explains how to enable it, and falls back to the CPU reference', async () => {
    const { page: p, logs: l } = await openPage();
    await p.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await p.goto(url);
    const state = await settle(p, 180_000);
    await p.screenshot({ path: 'test-artifacts/demo-no-webgpu.png', fullPage: true });
    expect(state, `${await p.$eval('#error', (e) => e.textContent)}\n${l.join('\n')}`).toBe('done');
    const note = await p.$eval('#nogpu', (e) => ((e as HTMLElement).hidden ? '' : e.textContent!));
    expect(note).toMatch(/WebGPU is missing/);
    expect(note).toMatch(/--enable-unsafe-webgpu/);
    const out = await p.evaluate(() => window.midstep);
    expect(out.backend).toBe('cpu');
    expect(out.results.map((r) => r.name)).toEqual(SAMPLERS);
    for (const r of out.results) {
      expect(r.backend).toBe('cpu');
      expect(r.particles).toBe(2000);
      expect(Number.isFinite(r.metrics.sw2!)).toBe(true);
      expect(r.metrics.sw2).toBeLessThan(3 * r.floor.sw2!);
      expect(r.metrics.modeTV).toBeLessThan(0.1);
    }
    expect(out.sweep.length).toBe(9);
    const title = (await p.$$eval('canvas.density', (c) => c.map((x) => x.dataset.title!)))[1]!;
    const ink = await inkAt(p, title, MODES, 0.25, 1.2, 2.8);
    expect(Math.min(...ink.near)).toBeGreaterThan(0.1);
    expect(ink.outsideShare).toBeLessThan(0.05);
    // the replay works on the CPU fallback too (frames from the float64 reference)
    expect(await p.$eval('#replay', (el) => (el as HTMLInputElement).disabled)).toBe(false);
    await p.$eval('#replay', (el) => {
      (el as HTMLInputElement).value = '0';
      el.dispatchEvent(new Event('input'));
    });
    expect(await p.$eval('#replay-label', (e) => e.textContent)).toMatch(/^round 0 of 20/);
    const start = await inkAt(p, title, MODES, 0.25, 1.0, 100);
    expect(start.outsideShare).toBeGreaterThan(0.2);
    await p.close();
  });
});
