/** Command-line parsing helpers: flags to typed values, with errors that name the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../errors.js';

/** A flag value that is missing or malformed. */
export class CliError extends ValidationError {}

/** Parses `argv` against `options`; unknown flags and missing values become {@link CliError}. */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    const flag = /'(-{1,2}[\w-]+)/.exec(msg)?.[1] ?? 'arguments';
    throw new CliError(flag, argv.join(' '), `valid flags (${Object.keys(options).map((o) => `--${o}`).join(', ')})`, msg);
  }
}

/** A required string flag. */
export function required(values: Record<string, unknown>, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new CliError(`--${name}`, v, what);
  return v;
}

/** A numeric flag: undefined when absent; strict parse (no "12abc", no empty). */
export function numberFlag(values: Record<string, unknown>, name: string, expected: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new CliError(`--${name}`, v, expected);
  return n;
}

/** `--opt key=value` pairs to an object (numbers stay strings; samplers check their own options). */
export function keyValues(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (list as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError('--opt', item, 'key=value');
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
