/** Resolves a `--target` argument in Node: a preset name, or a path to a target JSON file. */
import { existsSync, readFileSync } from 'node:fs';
import { TargetError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { loadTarget, PRESETS } from '../targets/presets.js';

/**
 * A preset name (`ring2d`) or a `.json` file path.
 * @throws TargetError when the file is missing, is not JSON, or is not a valid target.
 */
export function loadTargetSpec(spec: string): GaussianMixture {
  if (spec in PRESETS) return loadTarget(spec);
  if (!existsSync(spec)) {
    throw new TargetError('target', spec, `a preset (${Object.keys(PRESETS).join(', ')}) or a path to a target JSON file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    throw new TargetError('target', spec, 'a file of valid JSON', (e as Error).message);
  }
  return loadTarget(json as object);
}
