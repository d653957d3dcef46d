/** Reads an MLP score network from a `.safetensors` file in Node. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FileFormatError } from '../errors.js';
import { mlpScoreModel, parseMlp, type MlpWeights } from '../scores/mlp-score.js';
import type { ScoreModel } from '../scores/types.js';

/**
 * MLP weights from `path`.
 * @throws FileFormatError when the file is missing, or is not a valid midstep MLP.
 */
export function readMlpFile(path: string): MlpWeights {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileFormatError(`${path}: cannot read the file (${(e as Error).message})`);
  }
  return parseMlp(bytes, basename(path).replace(/\.safetensors$/, ''), path);
}

/** The score model of the MLP in `path`. */
export function loadMlpScoreFile(path: string): ScoreModel {
  return mlpScoreModel(readMlpFile(path));
}
