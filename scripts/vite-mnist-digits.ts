/**
 * Vite plugin: the `mnist` package's digits as compact binary assets for the demo page.
 *
 * The package ships one JSON file per class (about 2 MB each, 21 MB in all) whose pixel values
 * all have at most three decimals. This plugin encodes each class as little-endian uint16 values
 * q = 1000 v (784 per digit, the digits in the package's order), so the page can fetch just the
 * first N digits of a class with an HTTP Range request and decode v = q / 1000 exactly as the
 * JSON parses. `import { MNIST_DIGIT_URLS } from 'virtual:mnist-digits'` gives the 10 URLs: served
 * from memory by the dev server (with Range support), emitted as assets by `vite build`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const VIRTUAL = 'virtual:mnist-digits';
const RESOLVED = '\0' + VIRTUAL;
const DEV_PREFIX = '/@mnist-digits/';
/** Pixel values are stored as round(1000 v). */
export const MNIST_PIXEL_SCALE = 1000;

/** Encodes class `c` of the installed package as uint16 (little endian). */
function encodeClass(c: number): Buffer {
  const file = createRequire(import.meta.url).resolve(`mnist/src/digits/${c}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
  const out = Buffer.alloc(2 * data.length);
  data.forEach((v, i) => {
    const q = Math.round(v * MNIST_PIXEL_SCALE);
    if (q / MNIST_PIXEL_SCALE !== v || q < 0 || q > 65535) throw new Error(`mnist class ${c}: pixel ${i} = ${v}, expected a value with at most 3 decimals in [0, 65.535]`);
    out.writeUInt16LE(q, 2 * i);
  });
  return out;
}

export function mnistDigits(): Plugin {
  const cache = new Map<number, Buffer>();
  const encoded = (c: number) => {
    if (!cache.has(c)) cache.set(c, encodeClass(c));
    return cache.get(c)!;
  };
  let build = false;
  return {
    name: 'midstep-mnist-digits',
    configResolved(config) {
      build = config.command === 'build';
    },
    resolveId(id) {
      return id === VIRTUAL ? RESOLVED : null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      const urls = Array.from({ length: 10 }, (_, c) => {
        if (!build) return JSON.stringify(`${DEV_PREFIX}${c}.u16`);
        const ref = this.emitFile({ type: 'asset', name: `mnist-${c}.u16`, source: encoded(c) });
        return `import.meta.ROLLUP_FILE_URL_${ref}`;
      });
      return `export const MNIST_DIGIT_URLS = [${urls.join(', ')}];\nexport const MNIST_PIXEL_SCALE = ${MNIST_PIXEL_SCALE};\n`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = req.url?.match(/^\/@mnist-digits\/(\d)\.u16$/);
        if (!m) return next();
        const body = encoded(Number(m[1]));
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Accept-Ranges', 'bytes');
        if (range) {
          const start = Number(range[1]);
          const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
          if (start > end) {
            res.statusCode = 416;
            res.setHeader('Content-Range', `bytes */${body.length}`);
            return res.end();
          }
          res.statusCode = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${body.length}`);
          return res.end(body.subarray(start, end + 1));
        }
        res.end(body);
      });
    },
  };
}
