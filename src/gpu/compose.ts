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

/** Source of a shader file by name (without `.wgsl`). */
export function shaderFile(name: string): string {
  const src = SHADERS[name];
  if (src === undefined) throw new MidstepError(`shader "${name}" not found; known: ${Object.keys(SHADERS).join(', ')}`);
  return src;
}

function resolveIncludes(name: string, seen: Set<string>): string {
  if (seen.has(name)) return '';
  seen.add(name);
  return shaderFile(name).replace(INCLUDE, (_m, inc: string) => resolveIncludes(inc, seen));
}

/**
 * The full WGSL of shader `names` (one file, or several concatenated, each include pulled in once)
 * with includes resolved and defines applied.
 * @throws MidstepError when a placeholder has no define.
 */
export function composeShader(names: string | readonly string[], defines: ShaderDefines = {}): string {
  const seen = new Set<string>();
  const list = typeof names === 'string' ? [names] : names;
  const name = list.join(' + ');
  const text = list.map((n) => resolveIncludes(n, seen)).join('\n');
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
  return wgsl(raw, ...values);
}
