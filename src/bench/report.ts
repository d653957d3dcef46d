/**
 * Writes a {@link BenchReport} as Markdown tables and SVG plots (bench/svg-plot.ts), beside the
 * JSON, under bench/results/.
 */
import { logLogPlot, type Series } from '../../bench/svg-plot.js';
import { fmt, type BenchReport } from './suite.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The Markdown summary of a report. */
export function reportMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# midstep bench`, '', `- date: ${r.date}`, `- adapter: ${r.adapter}`, `- command: \`${r.command}\``, `- timing: ${r.timing}`, `- note: ${r.note}`, `- total time: ${r.seconds.toFixed(0)} s`);
  if (r.host) lines.push(`- host: ${r.host.cores} cores (${r.host.cpu}); load average ${r.host.loadStart.toFixed(2)} at the start, ${r.host.loadEnd.toFixed(2)} at the end; GPU waits: ${r.host.gpuWait}`);
  lines.push('');
  lines.push('## Device limits (micro-benchmarks)', '', '| f32 mul-add | fma() builtin | copy bandwidth (read + write) |', '|---|---|---|');
  lines.push(`| ${r.micro.fmaGflops.toFixed(3)} GFLOP/s | ${r.micro.fmaBuiltinGflops.toFixed(3)} GFLOP/s | ${r.micro.bandwidthGBs.toFixed(3)} GB/s |`, '');
  lines.push('The FMA peak (shaders/bench-fma.wgsl): per invocation two independent vec4 chains a = a * b + c, 16 deep per loop iteration (unrolled), 64 flops per round (a mul-add counts 2), ' +
    'everything in registers; on SwiftShader this reaches 5-6x the throughput of eight chains one deep per iteration (the peak used before 2026-12-02).', '');
  lines.push('## Mixture score, one evaluation at one time', '');
  lines.push(`K = ${r.config.components} axis-aligned components; nominal 8 flops per (particle, component, coordinate). Fraction of peak: median of paired ratios against the mul-add micro-benchmark run alternately.`, '');
  lines.push('| d | P | kernel | layout | GFLOP/s | of FMA peak | evals/s | max rel. error vs float64 | float64 CPU evals/s | GPU / CPU |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of r.score) {
    for (const k of c.kernels) {
      const layout = k.layout ? `${k.layout.gemm ? `table in private memory${k.layout.gemmChunk ? ` in chunks of ${k.layout.gemmChunk} coordinates` : ''}, particles in sequence` : (k.layout.split ?? 1) > 1 ? `1 particle over ${k.layout.split} threads` : `${k.layout.ppt} particles/thread${k.layout.stream ? ' streaming over d' : ''}`}, wg ${k.layout.wgSize}${k.layout.uniformTable ? ', uniform table' : ''}${k.layout.stage ? ', staged' : ''}` : '1 particle/thread';
      lines.push(`| ${c.dim} | ${c.particles} | ${k.kernel} | ${layout} | ${k.gflops.toFixed(3)} | ${pct(k.fractionOfPeak)} | ${fmt(k.evalsPerSecond)} | ${k.maxError.toExponential(1)} | ${fmt(c.cpu.evalsPerSecond)} | ${(k.evalsPerSecond / c.cpu.evalsPerSecond).toFixed(2)}x |`);
    }
  }
  lines.push('', '## Samplers (whole runs)', '');
  lines.push(`nfe ${r.config.nfe}; GPU: wall time of Engine.sample (planning to readback); CPU: the float64 reference on min(P, ${r.config.cpuParticles}) particles, extrapolated linearly to P; the two timed in ${r.config.runs} alternating pairs after a warm-up of each, times are medians, GPU / CPU the median of the per-pair ratios.`, '');
  lines.push('| sampler | d | P | score | steps | GPU particle-steps/s | GPU evals/s | CPU particle-steps/s | GPU / CPU | score flops of FMA peak | state bytes of bandwidth |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of r.samplers) {
    lines.push(`| ${c.sampler} | ${c.dim} | ${c.particles} | ${c.scoreLayout} | ${c.steps} | ${fmt(c.gpuStepsPerSecond)} | ${fmt(c.gpuEvalsPerSecond)} | ${fmt(c.cpuStepsPerSecond)} | ${c.speedup.toFixed(2)}x | ${pct(c.fractionOfFmaPeak)} | ${pct(c.fractionOfBandwidth)} |`);
  }
  if (r.skipped.length) {
    lines.push('', '## Skipped cases', '');
    for (const s of r.skipped) lines.push(`- ${s.sampler} d=${s.dim} P=${s.particles}: ${s.reason}`);
  }
  return lines.join('\n') + '\n';
}

/** SVG plots of a report: name -> SVG text. */
export function reportPlots(r: BenchReport): Record<string, string> {
  const plots: Record<string, string> = {};
  if (r.score.length > 1) {
    const kernels = [...new Set(r.score.flatMap((c) => c.kernels.map((k) => k.kernel)))];
    const series: Series[] = kernels.map((name) => ({
      name, points: r.score.map((c) => ({ x: c.dim, y: c.kernels.find((k) => k.kernel === name)?.gflops ?? NaN })),
    }));
    series.push({ name: 'float64 CPU', points: r.score.map((c) => ({ x: c.dim, y: c.cpu.gflops })) });
    series.push({ name: 'FMA peak', dashed: true, points: r.score.map((c) => ({ x: c.dim, y: c.fmaPeakGflops })) });
    plots['score-gflops-vs-d'] = logLogPlot(`Mixture score (K = ${r.config.components}) on ${r.adapter.split(' [')[0]}`, 'dimension d', 'GFLOP/s (nominal)', series);
  }
  for (const d of [...new Set(r.samplers.map((c) => c.dim))]) {
    const cases = r.samplers.filter((c) => c.dim === d);
    const names = [...new Set(cases.map((c) => c.sampler))];
    const series: Series[] = names.flatMap((n) => [
      { name: `${n} GPU`, points: cases.filter((c) => c.sampler === n).map((c) => ({ x: c.particles, y: c.gpuStepsPerSecond })) },
      { name: `${n} CPU`, dashed: true, points: cases.filter((c) => c.sampler === n).map((c) => ({ x: c.particles, y: c.cpuStepsPerSecond })) },
    ]);
    if (cases.length > 1) plots[`samplers-d${d}`] = logLogPlot(`Sampler throughput, d = ${d}`, 'particles P', 'particle-steps / s', series);
  }
  return plots;
}
