/**
 * Turns what a lost device does to a run in flight (rejected `mapAsync`, errors from destroyed
 * objects, or a `lost` promise that resolves in the middle) into one clear {@link DeviceLostError}.
 */
import { DeviceError, DeviceLostError, MidstepError } from '../errors.js';
import type { GpuContext } from './device.js';

/** How long to wait for `device.lost` to settle after an unexplained GPU failure. */
const LOST_GRACE_MS = 100;

/** Where a run was when it failed, for the message. */
export interface RunPosition {
  what: string;
  stepsDone: number;
  steps: number;
  /** Steps done at the last checkpoint taken, -1 when none. */
  checkpointStep: number;
}

/** The DeviceLostError for a run at `pos` on a device lost for `reason`. */
export function lostError(reason: string, pos: RunPosition): DeviceLostError {
  const resume = pos.checkpointStep >= 0 ? `, then resume from the last checkpoint (step ${pos.checkpointStep})` : '';
  return new DeviceLostError(
    `the WebGPU device was lost during ${pos.what} after ${pos.stepsDone} of ${pos.steps} steps (${reason}); create a new Engine on a new device${resume}`,
  );
}

/** Throws a DeviceLostError if the device is already known to be lost. */
export function throwIfLost(gpu: GpuContext, pos: RunPosition): void {
  if (gpu.lostReason) throw lostError(gpu.lostReason, pos);
}

/**
 * The error a failed run should reject with: MidstepErrors as they are (unless the device was lost
 * meanwhile), anything else as a DeviceLostError when the device turns out lost, else a DeviceError.
 */
export async function asRunError(e: unknown, gpu: GpuContext, pos: RunPosition): Promise<unknown> {
  if (e instanceof DeviceError) return e;
  if (!gpu.lostReason && !(e instanceof MidstepError)) {
    await Promise.race([gpu.device.lost, new Promise((r) => setTimeout(r, LOST_GRACE_MS))]);
  }
  if (gpu.lostReason) return lostError(gpu.lostReason, pos);
  if (e instanceof MidstepError) return e;
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'OperationError' || /GPU|WebGPU|device/i.test(e.message))) {
    return new DeviceError(`WebGPU error during ${pos.what} after ${pos.stepsDone} of ${pos.steps} steps: ${e.name}: ${e.message}`);
  }
  return e;
}
