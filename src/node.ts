/**
 * Node entry of midstep: everything in the main entry, plus WebGPU from the `webgpu` package (Dawn)
 * with the SwiftShader fallback, and file helpers (`.npy`, target files).
 */
export * from './index.js';
export { acquireNodeDevice, SWIFTSHADER_ICD_PATHS, type NodeDeviceOptions } from './gpu/node-device.js';
export { readNpy, writeNpy } from './io/npy-node.js';
export { loadTargetSpec } from './io/target-file.js';
export { loadSampleTarget } from './io/sample-target.js';
export { loadMnist, mnistSubset, nearestPoint, type MnistData } from './data/mnist-node.js';
export { readMlpFile, loadMlpScoreFile } from './io/mlp-file.js';
