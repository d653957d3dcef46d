/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length n, n bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, ...,
 * "__metadata__": { key: string } }`, then the tensor bytes (offsets relative to the data start).
 * A reader and a writer for the float dtypes (F32, F64, F16), with errors that name what is wrong.
 */
import { FileFormatError } from '../errors.js';

/** A tensor as float32 values, row-major. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** A parsed file: tensors by name and the string metadata. */
export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2 };

function fail(source: string, what: string): never {
  throw new FileFormatError(`${source}: not a valid safetensors file: ${what}`);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Parses safetensors bytes; float tensors are converted to float32.
 * @throws FileFormatError naming `source` and the problem (short file, bad header JSON, unknown
 * dtype, offsets that do not match the shape or run past the end, overlapping tensors).
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): Safetensors {
  if (bytes.byteLength < 8) fail(source, `${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.byteLength) fail(source, `header length ${n} does not fit a file of ${bytes.byteLength} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(source, `the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(source, 'the header is not a JSON object');
  const dataStart = 8 + n, dataBytes = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, Tensor>();
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) fail(source, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(source, `tensor "${name}" is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) fail(source, `tensor "${name}" has dtype ${JSON.stringify(e.dtype)}, expected F32, F64 or F16`);
    if (!Array.isArray(e.shape) || !e.shape.every((s) => Number.isInteger(s) && s >= 0)) fail(source, `tensor "${name}" has shape ${JSON.stringify(e.shape)}, expected a list of non-negative integers`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[0] > off[1]) {
      fail(source, `tensor "${name}" has data_offsets ${JSON.stringify(off)}, expected [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = off as [number, number];
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    const size = BYTES[e.dtype]!;
    if (end - begin !== count * size) fail(source, `tensor "${name}" has ${end - begin} bytes, expected ${count * size} for shape [${e.shape}] of ${e.dtype}`);
    if (end > dataBytes) fail(source, `tensor "${name}" ends at byte ${end}, past the ${dataBytes} data bytes (truncated file?)`);
    spans.push([begin, end, name]);
    const data = new Float32Array(count);
    const base = dataStart + begin;
    for (let i = 0; i < count; i++) {
      data[i] = e.dtype === 'F32' ? view.getFloat32(base + 4 * i, true) : e.dtype === 'F64' ? view.getFloat64(base + 8 * i, true) : half(view.getUint16(base + 2 * i, true));
    }
    tensors.set(name, { shape: [...(e.shape as number[])], data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) fail(source, `tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap`);
  }
  return { tensors, metadata };
}

/** Writes tensors (float32) and string metadata as safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = 4 * t.data.length;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = JSON.stringify(header);
  const unpadded = new TextEncoder().encode(json).byteLength;
  // data start aligned to 8 bytes
  const head = new TextEncoder().encode(json + ' '.repeat((8 - ((8 + unpadded) % 8)) % 8));
  const out = new Uint8Array(8 + head.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let p = 8 + head.byteLength;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, p += 4) view.setFloat32(p, t.data[i]!, true);
  }
  return out;
}
