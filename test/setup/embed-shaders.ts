// Regenerates src/generated/shaders.ts before any test file imports it.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/embed-shaders.mjs'], { stdio: 'inherit' });
}
