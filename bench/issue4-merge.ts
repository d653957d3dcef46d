/**
 * Merges issue-4 benchmark parts (runs of bench/issue4.ts over different targets, e.g. one full run
 * cut off after some targets and a `--only ... --tag big` run of the rest) into
 * bench/results/issue4.{json,md}: the target sections and results in the order given, each part's
 * command and run time recorded.
 *
 *   npx tsx bench/issue4-merge.ts issue4 issue4-big     # part names under bench/results (without .json/.md)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'results');
// the main run's files are read first, so a part may be the output's own name (issue4)
const parts = process.argv.slice(2);
if (parts.length < 2) throw new Error('usage: npx tsx bench/issue4-merge.ts <part> <part> ... (names under bench/results)');

interface Part { meta: { date: string; command: string; minutes: number; complete: boolean }; configs: unknown; results: { target: string }[] }
const loaded = parts.map((p) => ({ name: p, json: JSON.parse(readFileSync(join(OUT, `${p}.json`), 'utf8')) as Part, md: readFileSync(join(OUT, `${p}.md`), 'utf8').split('\n') }));

/** The header (up to the first target section) and the target sections (each from "## name" to before the next). */
function split(md: string[]): { header: string[]; sections: Map<string, string[]> } {
  const first = md.findIndex((l) => l.startsWith('## '));
  const sections = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of md.slice(first)) {
    if (line.startsWith('## ')) sections.set(line.slice(3).split(' ')[0]!, (cur = [line]));
    else if (/^\(partial: |^Total run time /.test(line)) cur = null;
    else cur?.push(line);
  }
  return { header: md.slice(0, first), sections };
}

const results: unknown[] = [];
const body: string[] = [];
const seen = new Set<string>();
for (const p of loaded) {
  const { sections } = split(p.md);
  for (const r of p.json.results) {
    if (seen.has(r.target)) continue;
    seen.add(r.target);
    results.push(r);
    body.push(...sections.get(r.target)!);
  }
}
const header = split(loaded[0]!.md).header;
const runs = loaded.map((p) => `- \`${p.json.meta.command}\` (${p.json.meta.date}, ${p.json.meta.minutes.toFixed(1)} min): ${p.json.results.map((r) => r.target).join(', ')}`);
const md = [
  header[0]!, '',
  `Backend: float64 CPU reference (\`sampleReference\`) for every number. Merged from ${loaded.length} runs of bench/issue4.ts (the targets split between them to fit a shared 2-core machine):`,
  ...runs, '',
  ...header.slice(3), ...body, `Merged with \`npx tsx bench/issue4-merge.ts ${parts.join(' ')}\`.`, '',
];
const meta = { merged: loaded.map((p) => ({ part: p.name, ...p.json.meta, targets: p.json.results.map((r) => r.target) })), backend: 'cpu', adapter: 'float64 CPU reference' };
writeFileSync(join(OUT, 'issue4.json'), JSON.stringify({ meta, configs: loaded[0]!.json.configs, results }, null, 1) + '\n');
writeFileSync(join(OUT, 'issue4.md'), md.join('\n'));
console.log(`merged ${parts.join(', ')} into ${join(OUT, 'issue4')}.{json,md}: ${[...seen].join(', ')}`);
