/** The demo's downloads: `.npy` samples, the charts as SVG or PNG, the metrics as JSON. */
import { encodeNpy } from '../src/io/npy.js';

/** Offers `data` as a file called `name`. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The samples as a float32 (P, d) `.npy` file, as `midstep sample --out` writes them. */
export function downloadNpy(name: string, samples: Float32Array, rows: number, cols: number): void {
  download(name, encodeNpy(samples, rows, cols) as BlobPart, 'application/octet-stream');
}

/** One standalone SVG holding the given Plot SVGs side by side. */
export function combineSvgs(svgs: SVGSVGElement[]): string {
  let x = 0, h = 0;
  const parts = svgs.map((s) => {
    const w = Number(s.getAttribute('width')), hh = Number(s.getAttribute('height'));
    const clone = s.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', String(x));
    clone.setAttribute('y', '0');
    x += w;
    h = Math.max(h, hh);
    return new XMLSerializer().serializeToString(clone);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${h}" viewBox="0 0 ${x} ${h}" style="background:white">${parts.join('')}</svg>`;
}

/** Rasterises an SVG string to PNG bytes at `scale` x. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width * scale;
    canvas.height = img.height * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((res, rej) => canvas.toBlob((b) => (b ? res(b) : rej(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
