/**
 * The demo page in headless Chromium on its WebGPU adapter (SwiftShader on machines without a GPU):
 * it builds, is served on 127.0.0.1, runs its default comparison by itself, and its results are
 * sane. A screenshot is saved to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer';
import { preview, type PreviewServer } from 'vite';

const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);

let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('no Chromium found: install Debian\'s chromium or set PUPPETEER_EXECUTABLE_PATH');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
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
});

describe('demo page', () => {
  it('runs the default comparison on WebGPU and shows it', async () => {
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    const url = server.resolvedUrls!.local[0]!;
    await page.goto(url);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), { timeout: 240_000 });
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/demo.png', fullPage: true });
    const state = await page.evaluate(() => document.body.dataset.state);
    const error = await page.evaluate(() => document.getElementById('error')?.textContent);
    expect(state, `${error}\n${logs.join('\n')}`).toBe('done');
    const out = await page.evaluate(() => window.midstep);
    expect(out.adapter).toMatch(/\w/);
    expect(out.results.map((r) => r.name)).toEqual(['ddim', 'randomized-midpoint', 'poisson-midpoint']);
    for (const r of out.results) {
      // poisson-midpoint reports its expected nfe M (2 - 1/K), just under the budget
      expect(Math.abs(r.nfe - 20)).toBeLessThanOrEqual(0.5);
      expect(Number.isFinite(r.metrics.sw2)).toBe(true);
      expect(r.metrics.sw2).toBeLessThan(20 * r.floor.sw2!);
      expect(r.metrics.modeTV).toBeLessThan(0.1);
    }
    // the randomized midpoint (x0 form) is clearly better than DDIM at nfe 20 on ring2d (CLI: sw2 1.07x vs 2.04x the floor)
    expect(out.results[1]!.metrics.sw2).toBeLessThan(out.results[0]!.metrics.sw2!);
    expect(await page.$$eval('canvas', (c) => c.length)).toBe(4);
  });
});
