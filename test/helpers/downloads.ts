/** Browser downloads in the end-to-end tests (headless Chromium writing into a folder). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer';

/**
 * Clicks `selector` and returns the file that appears in `dir`. Chromium may show the file under
 * its final name before the last bytes are in, so it is taken once it is non-empty and its size
 * held for one 100 ms poll.
 */
export async function downloadVia(page: Page, dir: string, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const before = new Set(readdirSync(dir));
  await page.click(selector);
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const fresh = readdirSync(dir).filter((f) => !before.has(f) && !f.endsWith('.crdownload'));
    if (fresh.length) {
      const size = statSync(join(dir, fresh[0]!)).size;
      if (size > 0 && size === last) return { name: fresh[0]!, bytes: readFileSync(join(dir, fresh[0]!)) };
      last = size;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no complete download from ${selector}`);
}
