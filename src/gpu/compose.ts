/**
 * WGSL composition: `#include "name"` pulls in `shaders/name.wgsl` (once), and `${NAME}` placeholders
 * are filled from a table of defines through `wgsl-preprocessor`, so `#if ${FULL_COV}` ... `#endif`
 * selects code at pipeline-creation time and `${DIM}` becomes a literal.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { SHADERS } from '../generated/shaders.js';
import { MidstepError } from '../errors.js';

/** Values a shader can be specialised on. Numbers are written as WGSL literals by the caller's choice. */
export type ShaderDefines = Record<string, string | number | boolean>;

const INCLUDE = /^[ \t]*#include\s+"([\w.-]+)"[ \t]*$/gm;
const PLACEHOLDER = /\$\{(\w+)\}/g;

/** Shader sources by name that are not files of shaders/ (user WGSL), looked up first. */
export type ShaderSources = Readonly<Record<string, string>>;

/** Source of a shader file by name (without `.wgsl`), from `extra` or shaders/. */
export function shaderFile(name: string, extra?: ShaderSources): string {
  const src = extra?.[name] ?? SHADERS[name];
  if (src === undefined) throw new MidstepError(`shader "${name}" not found; known: ${Object.keys(SHADERS).join(', ')}`);
  return src;
}

function resolveIncludes(name: string, seen: Set<string>, extra?: ShaderSources): string {
  if (seen.has(name)) return '';
  seen.add(name);
  return shaderFile(name, extra).replace(INCLUDE, (_m, inc: string) => resolveIncludes(inc, seen, extra));
}

/**
 * The full WGSL of shader `names` (one file, or several concatenated, each include pulled in once)
 * with includes resolved and defines applied. `extra` supplies sources that are not files of
 * shaders/ (a user's WGSL), by the name an `#include` uses.
 * @throws MidstepError when a placeholder has no define.
 */
export function composeShader(names: string | readonly string[], defines: ShaderDefines = {}, extra?: ShaderSources): string {
  const seen = new Set<string>();
  const list = typeof names === 'string' ? [names] : names;
  const name = list.join(' + ');
  const text = list.map((n) => resolveIncludes(n, seen, extra)).join('\n');
  const strings: string[] = [];
  const values: unknown[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const key = m[1]!;
    if (!(key in defines)) throw new MidstepError(`shader "${name}" needs the define \${${key}}, which was not given`);
    strings.push(text.slice(last, m.index));
    values.push(defines[key]);
    last = m.index! + m[0].length;
  }
  strings.push(text.slice(last));
  const raw = Object.assign([...strings], { raw: [...strings] }) as unknown as TemplateStringsArray;
  return unrollLoops(wgsl(raw, ...values), defines);
}

/** Loops longer than this stay loops. */
export const MAX_UNROLL = 16;

const UNROLL = /for \(var (\w+) = 0u; \1 < (\w+); \1\+\+\) \{ \/\/ unroll\n/;

/**
 * Expands loops written `for (var i = 0u; i < N; i++) { // unroll` into N scoped copies of the body
 * with `i` replaced by a literal (N a number or a define). Constant indices let the shader
 * compiler keep small private arrays in registers, which matters a great deal on SwiftShader.
 */
export function unrollLoops(code: string, defines: ShaderDefines): string {
  for (let m = UNROLL.exec(code); m; m = UNROLL.exec(code)) {
    const [head, name, bound] = m as unknown as [string, string, string];
    const n = /^\d+u?$/.test(bound) ? parseInt(bound, 10) : Number(defines[bound]);
    if (!Number.isInteger(n) || n < 0) throw new MidstepError(`cannot unroll a loop over ${bound}: it is not a known integer define`);
    if (n > MAX_UNROLL) {
      // too long to unroll: keep the loop, drop the marker
      code = code.slice(0, m.index) + head.replace(' // unroll', '') + code.slice(m.index + head.length);
      continue;
    }
    let depth = 1, i = m.index + head.length;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}') depth--;
    }
    const body = code.slice(m.index + head.length, i - 1);
    const ident = new RegExp(`\\b${name}\\b`, 'g');
    const copies = Array.from({ length: n }, (_, k) => `{\n${body.replace(ident, `${k}u`)}}\n`).join('');
    code = code.slice(0, m.index) + copies + code.slice(i);
  }
  return code;
}
