/**
 * Coefficient tables larger than one step row: rows of the `coef-table` kernel copy 16 float64-
 * planned coefficients each into the plan's first extra buffer (binding 3), which the next kernels
 * read. They evaluate nothing and add no rounds.
 */
import { newRow, ROW_COEFFS, type KernelSpec, type StepRow } from './types.js';

/** The loader kernel. */
export const COEF_TABLE_KERNEL: KernelSpec = { shader: 'coef-table', defines: {}, wantScore: false, wantX0: false };

/**
 * Rows of kernel index `kernel` that write `values` into the table starting at 16-float chunk
 * `firstChunk` (table word firstChunk * 16).
 */
export function tableRows(values: ArrayLike<number>, kernel: number, step: number, firstChunk = 0): StepRow[] {
  const rows: StepRow[] = [];
  for (let at = 0; at < values.length; at += ROW_COEFFS) {
    const row = newRow(step, firstChunk + at / ROW_COEFFS, kernel);
    for (let k = 0; k < ROW_COEFFS && at + k < values.length; k++) row.c[k] = values[at + k]!;
    row.rounds = 0;
    rows.push(row);
  }
  return rows;
}

/** Words a table of `n` floats starting at chunk `firstChunk` occupies. */
export function tableWords(n: number, firstChunk = 0): number {
  return ROW_COEFFS * (firstChunk + Math.max(1, Math.ceil(n / ROW_COEFFS)));
}
