/**
 * Property-based validation of weights files (fast-check, fixed seed): the shipped MLP score
 * network's safetensors bytes, corrupted at random (byte flips, truncation, header edits, NaN/Inf
 * weights), either parse into weights whose shapes chain and whose values are all finite, or fail
 * with a FileFormatError naming the file and what was expected: never another exception or a model
 * that would put NaN into a run.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../src/errors.js';
import { encodeSafetensors, parseSafetensors } from '../src/io/safetensors.js';
import { mlpForward, parseMlp, type MlpWeights } from '../src/scores/mlp-score.js';

const SEED = 20261202;
const MODEL = new Uint8Array(readFileSync(new URL('../models/two-moons.safetensors', import.meta.url)));

/** Parses or returns the error; any error that is not a FileFormatError naming the source fails the property. */
function parseOrError(bytes: Uint8Array): MlpWeights | FileFormatError {
  try {
    return parseMlp(bytes, 'm', 'corrupt.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as Error).message).toMatch(/^corrupt\.safetensors: /);
    expect((e as Error).message).toMatch(/expected|not a valid|missing|wider/);
    return e as FileFormatError;
  }
}

/** Weights that parsed must be usable: shapes chain, all finite, and a forward pass is finite. */
function expectUsable(w: MlpWeights): void {
  for (const [l, layer] of w.layers.entries()) {
    expect(layer.weight.length).toBe(layer.inputs * layer.outputs);
    expect(layer.bias.length).toBe(layer.outputs);
    if (l > 0) expect(layer.inputs).toBe(w.layers[l - 1]!.outputs);
    expect(layer.weight.every(Number.isFinite) && layer.bias.every(Number.isFinite)).toBe(true);
  }
  expect(w.frequencies.every(Number.isFinite)).toBe(true);
  const out = new Float64Array(w.dim);
  mlpForward(w, new Float64Array(w.dim).fill(0.3), 0, 0.5, out);
  expect(out.every(Number.isFinite)).toBe(true);
}

describe('weights files (safetensors MLP) under corruption', () => {
  it('the shipped model parses and is usable', () => {
    const w = parseMlp(MODEL, 'two-moons');
    expect(w.dim).toBe(2);
    expectUsable(w);
  });

  it('random byte flips: usable weights or a FileFormatError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(MODEL.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
        const b = MODEL.slice();
        for (const [i, v] of flips) b[i] = v;
        const r = parseOrError(b);
        if (!(r instanceof FileFormatError)) expectUsable(r);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('truncation and random bytes: a FileFormatError', () => {
    fc.assert(
      fc.property(fc.nat(MODEL.length - 1), (n) => {
        expect(parseOrError(MODEL.slice(0, n))).toBeInstanceOf(FileFormatError);
      }),
      { seed: SEED, numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(parseOrError(b)).toBeInstanceOf(FileFormatError);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('edited header JSON (lengths, dtypes, shapes, offsets, metadata): usable weights or a FileFormatError', () => {
    const n = Number(new DataView(MODEL.buffer, MODEL.byteOffset).getBigUint64(0, true));
    const header = new TextDecoder().decode(MODEL.subarray(8, 8 + n));
    const body = MODEL.subarray(8 + n);
    const edit = fc.tuple(
      fc.constantFrom('"F32"', '"F64"', '"I8"', '[', ']', ',', '0', '1', '-1', '1e9', '"midstep-mlp"', '"relu"', '"x"', 'null', ''),
      fc.nat(header.length - 1),
      fc.integer({ min: 0, max: 6 }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let h = header;
        for (const [text, at, cut] of edits) h = h.slice(0, at) + text + h.slice(at + cut);
        const hb = new TextEncoder().encode(h);
        const b = new Uint8Array(8 + hb.length + body.length);
        new DataView(b.buffer).setBigUint64(0, BigInt(hb.length), true);
        b.set(hb, 8);
        b.set(body, 8 + hb.length);
        const r = parseOrError(b);
        if (!(r instanceof FileFormatError)) expectUsable(r);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('a NaN or infinite weight anywhere is refused, naming the tensor', () => {
    const st = parseSafetensors(MODEL);
    const names = [...st.tensors.keys()];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), (name, at, v) => {
        const tensors = Object.fromEntries([...st.tensors].map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
        const t = tensors[name]!;
        t.data[at % t.data.length] = v;
        const r = parseOrError(encodeSafetensors(tensors, st.metadata));
        expect(r).toBeInstanceOf(FileFormatError);
        expect((r as Error).message).toContain(`"${name}"`);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
