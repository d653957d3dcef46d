/**
 * The thread-per-particle score pass (shaders/score-pass.wgsl through the model's `model_eval`),
 * with the engine's bindings: the "before" of the mixture-score optimisation, and the score pass
 * of any model the tiled kernel does not cover.
 */
import { MidstepError } from '../errors.js';
import { composeShader } from '../gpu/compose.js';
import type { ScoreBindings, ScoreModel } from '../scores/types.js';

const WG = 64;

/** A score pass of `model` at one time over a state buffer. */
export class NaiveScorePass {
  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly layouts: [GPUBindGroupLayout, GPUBindGroupLayout],
    private readonly run: GPUBuffer,
    private readonly step: GPUBuffer,
    private readonly model: ScoreBindings,
  ) {}

  static async create(device: GPUDevice, model: ScoreModel): Promise<NaiveScorePass> {
    const code = composeShader([model.shader, 'score-pass'], {
      STAGED: false, ...model.defines, DIM: model.dim, DIM4: Math.ceil(model.dim / 4), WG_SIZE: WG, LANES: 1, WANT_SCORE: true, WANT_X0: false,
    });
    const module = device.createShaderModule({ label: 'score-pass', code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new MidstepError(`WGSL of score-pass does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const g0 = device.createBindGroupLayout({ entries: [entry(0, 'uniform'), entry(1, 'uniform'), entry(2, 'storage'), entry(3, 'storage')] });
    const g1 = device.createBindGroupLayout({ entries: model.layoutEntries() });
    const pipeline = await device.createComputePipelineAsync({
      label: 'score-pass', layout: device.createPipelineLayout({ bindGroupLayouts: [g0, g1] }), compute: { module, entryPoint: 'main' },
    });
    const run = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const step = device.createBuffer({ size: 80, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    return new NaiveScorePass(device, pipeline, [g0, g1], run, step, model.createBindings(device));
  }

  /** Sets the time and count; returns the dispatch grid. */
  setTime(t: number, particles: number): { x: number; y: number } {
    const groups = Math.ceil(particles / WG);
    const x = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension), y = Math.ceil(groups / x);
    this.device.queue.writeBuffer(this.run, 0, new Uint32Array([0, 0, 0, particles, x * WG, 0, 0, 0]));
    const row = new Float32Array(20);
    row.set([t, Math.exp(-t), -Math.expm1(-2 * t)], 8); // st.c1 = (t, m, sigma^2)
    this.device.queue.writeBuffer(this.step, 0, row);
    return { x, y };
  }

  bindGroups(xs: GPUBuffer, out: GPUBuffer): [GPUBindGroup, GPUBindGroup] {
    return [
      this.device.createBindGroup({
        layout: this.layouts[0],
        entries: [
          { binding: 0, resource: { buffer: this.run } },
          { binding: 1, resource: { buffer: this.step } },
          { binding: 2, resource: { buffer: xs } },
          { binding: 3, resource: { buffer: out } },
        ],
      }),
      this.device.createBindGroup({ layout: this.layouts[1], entries: this.model.entries }),
    ];
  }

  encode(pass: GPUComputePassEncoder, groups: [GPUBindGroup, GPUBindGroup], g: { x: number; y: number }): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, groups[0]);
    pass.setBindGroup(1, groups[1]);
    pass.dispatchWorkgroups(g.x, g.y);
  }

  destroy(): void {
    this.run.destroy();
    this.step.destroy();
    this.model.destroy();
  }
}
