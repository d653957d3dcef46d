/**
 * Rewrites bench.md and the SVG plots of a results folder from its bench.json (after a change to
 * the report format; the measurements are not touched). Usage: npx tsx bench/regenerate-report.ts DIR
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportMarkdown, reportPlots } from '../src/bench/report.js';
import type { BenchReport } from '../src/bench/suite.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/regenerate-report.ts DIR');
const report = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchReport;
writeFileSync(join(dir, 'bench.md'), reportMarkdown(report));
for (const [name, svg] of Object.entries(reportPlots(report))) writeFileSync(join(dir, `${name}.svg`), svg);
