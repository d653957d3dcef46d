#!/usr/bin/env node
// The `midstep` command. Runs the TypeScript sources through tsx, after embedding the shaders.
import { register } from 'tsx/esm/api';

await import('../scripts/embed-shaders.mjs');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
