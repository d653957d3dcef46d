/** `.npy` files on disk (Node). */
import { readFileSync, writeFileSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';

/** Writes a float32 (rows, cols) array to `path`. */
export function writeNpy(path: string, data: Float32Array, rows: number, cols: number): void {
  writeFileSync(path, encodeNpy(data, rows, cols));
}

/** Reads a float32/float64 `.npy` file. @throws FileFormatError when missing or malformed. */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileFormatError(`--samples: cannot read ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeNpy(bytes, path);
}
