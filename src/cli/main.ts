/**
 * The midstep CLI: `sample`, `eval`, `list`. User errors exit with status 2 and one line on stderr
 * naming the field and what was expected; device errors exit with 1 and one line.
 */
import { DeviceError, MidstepError, ValidationError } from '../errors.js';
import { sampleCommand } from './sample.js';
import { evalCommand } from './eval.js';
import { listCommand } from './list.js';
import { benchCommand } from './bench.js';

const USAGE = `midstep: diffusion samplers on WebGPU

usage:
  midstep sample --target <preset|file.json|mnist|model.safetensors> --sampler <name> --nfe <N> --particles <P> --out <file.npy>
                 [--seed S] [--offset O] [--t-max T] [--delta D] [--grid logsnr|uniform|edm]
                 [--opt key=value]... [--backend webgpu|cpu] [--on-non-finite error|exclude|ignore] [--json]
                 [--score-layout auto|fused|pass|staged] [--update-layout auto|particle|block]
  midstep eval   --target <preset|file.json> --samples <file.npy> [--delta D] [--seed S] [--json]
  midstep list   [--json]
  midstep bench  [--quick] [--samplers a,b|none] [--dims 2,16,64] [--particles 1000,10000] [--nfe N] [--runs R]
                 [--cpu-particles N] [--score-dims 2,64|none] [--score-particles P] [--components K]
                 [--max-case-seconds S] [--score-layout auto|fused|pass|staged] [--out dir] [--json] [--dry-run]

Run "midstep list" for the samplers, their options and the target presets.`;

/** Flag names of run settings, for error messages. */
const FLAG_OF: Record<string, string> = {
  particles: '--particles', nfe: '--nfe', seed: '--seed', offset: '--offset', tMax: '--t-max',
  delta: '--delta', grid: '--grid', sampler: '--sampler', steps: '--nfe', onNonFinite: '--on-non-finite',
};

/** One line for a user error. */
export function errorLine(e: MidstepError): string {
  if (e instanceof ValidationError) {
    const field = FLAG_OF[e.field] ?? e.field;
    return `midstep: error: ${e.message.replace(e.field, field)}`;
  }
  return `midstep: error: ${e.message}`;
}

/** Runs the CLI on `argv` (without node and script); returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sample':
        return await sampleCommand(rest);
      case 'eval':
        return await evalCommand(rest);
      case 'list':
        return listCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`midstep: error: command: got ${JSON.stringify(command)}, expected one of sample, eval, list, bench\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof DeviceError) {
      process.stderr.write(`midstep: error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof MidstepError) {
      process.stderr.write(errorLine(e) + '\n');
      return 2;
    }
    throw e;
  }
}
