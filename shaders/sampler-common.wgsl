// Shared by every sampler kernel: the run and step uniforms, the particle state, and the noise.
// One invocation per particle; particles are stored row-major (particle i at xs[i * DIM ..]).

#include "philox"
#include "model-common"

const WG_SIZE: u32 = ${WG_SIZE}u;
// Invocations per particle of this kernel (1 for one thread per particle).
const LANES: u32 = ${LANES}u;

struct RunParams {
  key: vec2<u32>,   // Philox key (seed)
  offset: u32,      // global index of local particle 0
  count: u32,       // particles in this dispatch
  row_stride: u32,  // invocations per row of the 2-D dispatch grid
}

// One step of a run; a step-indexed table of these lives in one uniform buffer and is selected
// with a dynamic offset. c0..c3: the step's float64-computed coefficients, rounded to f32.
struct StepParams {
  step: u32,
  flags: u32,
  pad0: u32,
  pad1: u32,
  c0: vec4<f32>,
  c1: vec4<f32>,
  c2: vec4<f32>,
  c3: vec4<f32>,
}

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> st: StepParams;
@group(0) @binding(2) var<storage, read_write> xs: array<f32>;

// Local index of this invocation in 0 .. count * LANES (particle = index / LANES, lane = index % LANES).
fn particle_index(gid: vec3<u32>) -> u32 {
  model_particle = gid.x + gid.y * run.row_stride;
  return model_particle;
}

fn load_state(i: u32, x: ptr<function, Vec>) {
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { v[e] = xs[base + 4u * b + e]; }
    }
    (*x)[b] = v;
  }
}

fn store_state(i: u32, x: ptr<function, Vec>) {
  if (!staged_commit()) { return; }
  let base = i * DIM;
  for (var b = 0u; b < DIM4; b++) { // unroll
    let v = (*x)[b];
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e < DIM) { xs[base + 4u * b + e] = v[e]; }
    }
  }
}

// The standard normals j = 0..DIM-1 of (global particle, step, stream), as in Philox.fillNormals;
// padding lanes are 0.
fn normals(particle: u32, step: u32, stream: u32, z: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) { // unroll
    var n4 = philox_normal4(run.key, particle, step, stream, b);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e >= DIM) { n4[e] = 0.0; }
    }
    (*z)[b] = n4;
  }
}

// The same draws as normals, with the block loop left rolled: for callers that draw inside their own
// loops, where DIM4 inlined Philox blocks make SwiftShader's shader compilation explode.
fn normals_rolled(particle: u32, step: u32, stream: u32, z: ptr<function, Vec>) {
  for (var b = 0u; b < DIM4; b++) {
    var n4 = philox_normal4(run.key, particle, step, stream, b);
    for (var e = 0u; e < 4u; e++) { // unroll
      if (4u * b + e >= DIM) { n4[e] = 0.0; }
    }
    (*z)[b] = n4;
  }
}

// Staged external scores (shaders/score-staged.wgsl) replay a kernel once per model_eval call and
// let only the last replay write state; every store to the state or a plan buffer is guarded by
// staged_commit(). For any other model it is constant true, so the guards compile away.
#if ${STAGED}
#else
fn staged_commit() -> bool { return true; }
#endif

fn time_params(v: vec4<f32>) -> TimeParams {
  return TimeParams(v.x, v.y, v.z);
}
