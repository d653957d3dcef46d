/**
 * NumPy `.npy` (format 1.0) encoding and decoding of 2-D little-endian float arrays, environment
 * independent (works on bytes). The CLI writes float32 (P, d); the reader takes float32 or float64.
 */
import { FileFormatError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** A decoded 2-D array. */
export interface NpyArray {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** `.npy` bytes of a row-major float32 (rows, cols) array. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) throw new FileFormatError(`npy: data has ${data.length} values, expected rows * cols = ${rows * cols}`);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Decodes `.npy` bytes holding a 1-D or 2-D float32/float64 C-order array (1-D is read as (n, 1)). */
export function decodeNpy(bytes: Uint8Array, name = 'npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FileFormatError(`${name}: not a .npy file (bad magic)`);
  const major = bytes[6]!;
  const headerLen = major === 1 ? bytes[8]! | (bytes[9]! << 8) : bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new FileFormatError(`${name}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new FileFormatError(`${name}: Fortran-order arrays are not supported, expected C order`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new FileFormatError(`${name}: shape (${shapeText}) is not 1-D or 2-D`);
  }
  const rows = shape[0]!, cols = shape.length === 2 ? shape[1]! : 1;
  const offset = start + headerLen;
  const count = rows * cols;
  const width = descr === '<f8' ? 8 : 4;
  if (count * width > bytes.length - offset) {
    throw new FileFormatError(`${name}: truncated, shape (${rows}, ${cols}) needs ${count * width} bytes of data, the file has ${Math.max(0, bytes.length - offset)}`);
  }
  // a fresh, aligned copy (Node's Buffer.slice would share the pool's memory at another offset)
  const body = new Uint8Array(bytes.subarray(offset, offset + count * width));
  let data: Float32Array | Float64Array;
  if (descr === '<f4') data = new Float32Array(body.buffer, 0, count);
  else if (descr === '<f8') data = new Float64Array(body.buffer, 0, count);
  else throw new FileFormatError(`${name}: dtype ${descr} is not supported, expected <f4 or <f8`);
  if (body.length < data.byteLength) throw new FileFormatError(`${name}: truncated, expected ${count} values`);
  return { data, rows, cols };
}
