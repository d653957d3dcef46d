/**
 * WebGPU device acquisition that works the same in the browser and in Node: the caller passes the
 * `GPU` object (`navigator.gpu` in a browser, `create()` of the `webgpu` package in Node; see
 * `src/node.ts`), and gets a {@link GpuContext} that names the adapter it runs on.
 */
import { DeviceError } from '../errors.js';
import { defaultWaitMode, type GpuWaitMode } from './quiet-wait.js';

/** A device together with what a report needs to say about it. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  /** Human-readable adapter name, e.g. "SwiftShader Device (Subzero)" or "NVIDIA H100". */
  readonly adapterName: string;
  /** Whether the adapter is a software (CPU) implementation such as SwiftShader. */
  readonly isSoftware: boolean;
  /**
   * Anything that must stay reachable while the device lives. In Node this holds the Dawn instance
   * returned by `create()`: if it is garbage-collected, Dawn dies with it.
   */
  readonly keepAlive?: unknown;
  /** Errors reported by the device outside any error scope, newest last. */
  readonly uncapturedErrors: string[];
  /** Set when the device is lost, with the reason. */
  lostReason: string | null;
  /**
   * How the engine waits for this device's promises (src/gpu/quiet-wait.ts): `'sleep'` in Node,
   * where Dawn's binding would otherwise busy-poll a core for the whole wait, `'await'` in
   * browsers. Absent means `'await'`.
   */
  readonly waitMode?: GpuWaitMode;
}

/** A readable name for an adapter from its `GPUAdapterInfo`. */
export function describeAdapter(info: GPUAdapterInfo): string {
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.length > 0);
  const description = info.description?.trim();
  if (/swiftshader/i.test(`${info.vendor} ${info.description} ${info.device}`)) {
    return `SwiftShader Device (Subzero)${description ? ` [${description}]` : ''}`;
  }
  if (description) return description;
  return parts.length ? parts.join(' ') : 'unknown WebGPU adapter';
}

/** Limits midstep asks for: as large as the adapter allows for the buffers and dispatches it uses. */
function wantedLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
  };
}

/**
 * Requests an adapter and a device from `gpu`. Throws {@link DeviceError} when there is none.
 * @param gpu `navigator.gpu` or Dawn's `create()` result.
 * @param options.powerPreference passed to `requestAdapter`.
 * @param options.waitMode how to wait for the device's promises (default: {@link defaultWaitMode}).
 */
export async function acquireDevice(
  gpu: GPU | undefined,
  options: { powerPreference?: GPUPowerPreference; keepAlive?: unknown; where?: string; waitMode?: GpuWaitMode } = {},
): Promise<GpuContext> {
  if (!gpu) {
    throw new DeviceError(
      `WebGPU is not available${options.where ? ` in ${options.where}` : ''}: navigator.gpu is missing. ` +
        'Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu), or run in Node.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new DeviceError(`no WebGPU adapter found${options.where ? ` in ${options.where}` : ''}`);
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    requiredLimits: wantedLimits(adapter),
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
  });
  const name = describeAdapter(adapter.info);
  const ctx: GpuContext = {
    device,
    adapter,
    adapterName: name,
    isSoftware: /swiftshader|llvmpipe|lavapipe|software/i.test(name) || adapter.info.isFallbackAdapter === true,
    keepAlive: options.keepAlive,
    uncapturedErrors: [],
    lostReason: null,
    waitMode: options.waitMode ?? defaultWaitMode(),
  };
  device.addEventListener('uncapturederror', (ev) => {
    ctx.uncapturedErrors.push((ev as GPUUncapturedErrorEvent).error.message);
  });
  void device.lost.then((info) => {
    ctx.lostReason = `${info.reason}: ${info.message}`;
  });
  return ctx;
}
