/**
 * WebGPU in Node from the `webgpu` package (Dawn), with the SwiftShader fallback found by itself on
 * machines without a GPU (DESIGN.md, "Runtime").
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceError } from '../errors.js';
import { acquireDevice, type GpuContext } from './device.js';
import type { GpuWaitMode } from './quiet-wait.js';


/** Where Debian's and other distributions' Chromium put SwiftShader's Vulkan driver manifest. */
export const SWIFTSHADER_ICD_PATHS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

/** Options of {@link acquireNodeDevice}. */
export interface NodeDeviceOptions {
  /** Skip the hardware adapters and use SwiftShader directly. */
  forceSwiftShader?: boolean;
  /**
   * Fail instead of falling back to SwiftShader when no hardware adapter is found (for benchmark
   * runs on GPU machines, where a silent fallback would measure the CPU). Default: the environment
   * variable MIDSTEP_REQUIRE_HARDWARE=1.
   */
  requireHardware?: boolean;
  /** Extra Dawn toggles for `create()`, e.g. `enable-dawn-features=...`. */
  dawnOptions?: string[];
  powerPreference?: GPUPowerPreference;
  /**
   * How to wait for the device's promises. Default `'sleep'` (src/gpu/quiet-wait.ts): the thread
   * sleeps in 1 ms slices instead of leaving Dawn's binding to busy-poll a core, which on a
   * software adapter slows the kernels themselves (1.6-1.8x on 2 cores, measured). `'await'` is
   * the binding's own behaviour. The environment variable MIDSTEP_GPU_WAIT sets the default.
   */
  waitMode?: GpuWaitMode;
}

async function tryAdapter(create: (o: string[]) => GPU, opts: string[], powerPreference?: GPUPowerPreference) {
  const gpu = create(opts);
  const adapter = await gpu.requestAdapter({ powerPreference: powerPreference ?? 'high-performance' });
  return adapter ? gpu : null;
}

/**
 * A WebGPU device in Node. Tries the machine's own adapters first; when there is none, points the
 * Vulkan loader at SwiftShader (shipped with Chromium, see DESIGN.md) and tries again. The returned
 * context keeps Dawn's instance alive for as long as it is referenced.
 * @throws DeviceError when no adapter can be found, saying what was tried.
 */
export async function acquireNodeDevice(options: NodeDeviceOptions = {}): Promise<GpuContext> {
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new DeviceError(`the npm package "webgpu" (Dawn for Node) could not be loaded: ${(e as Error).message}`);
  }
  Object.assign(globalThis, mod.globals);
  const create = mod.create as unknown as (o: string[]) => GPU;
  const extra = options.dawnOptions ?? [];
  let gpu: GPU | null = null;
  const tried: string[] = [];
  // Mesa's Vulkan drivers complain on stderr without it; any private writable folder will do.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `midstep-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  if (!options.forceSwiftShader && !process.env.VK_ICD_FILENAMES) {
    gpu = await tryAdapter(create, extra, options.powerPreference);
    tried.push('the default Vulkan drivers');
  }
  const requireHardware = options.requireHardware ?? process.env.MIDSTEP_REQUIRE_HARDWARE === '1';
  if (!gpu) {
    // the drivers VK_ICD_FILENAMES names (a software one is refused below when hardware is
    // required), else SwiftShader's unless hardware is required
    const icd = process.env.VK_ICD_FILENAMES ?? (requireHardware ? undefined : SWIFTSHADER_ICD_PATHS.find((p) => existsSync(p)));
    if (icd) {
      process.env.VK_ICD_FILENAMES = icd;
      gpu = await tryAdapter(create, extra, options.powerPreference);
      tried.push(`SwiftShader (${icd})`);
    } else if (!requireHardware) {
      tried.push(`SwiftShader (no manifest at ${SWIFTSHADER_ICD_PATHS.join(', ')})`);
    }
  }
  if (!gpu && requireHardware) {
    throw new DeviceError(`no hardware WebGPU adapter found in Node; tried ${tried.join(' and ') || 'nothing (forceSwiftShader)'}, and SwiftShader is not allowed (requireHardware / MIDSTEP_REQUIRE_HARDWARE=1)`);
  }
  if (!gpu) {
    throw new DeviceError(
      `no WebGPU adapter found in Node; tried ${tried.join(' and ')}. ` +
        'On a machine without a GPU install Chromium (Debian: apt-get install chromium libvulkan1), which ships SwiftShader.',
    );
  }
  const ctx = await acquireDevice(gpu, { keepAlive: gpu, powerPreference: options.powerPreference, where: 'Node', waitMode: options.waitMode });
  if (requireHardware && ctx.isSoftware) {
    ctx.device.destroy();
    throw new DeviceError(`the only WebGPU adapter found in Node is a software one (${ctx.adapterName}), and requireHardware / MIDSTEP_REQUIRE_HARDWARE=1 asks for hardware`);
  }
  return ctx;
}
