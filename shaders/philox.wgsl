// Philox4x32-10 counter-based generator, bit-identical to src/rng/philox.ts.
// key = (seed low word, seed high word); counter = (particle, step, stream, element >> 2).

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// Stream ids (src/rng/philox.ts `Stream`).
const STREAM_INIT: u32 = 0u;
const STREAM_STEP_NOISE: u32 = 1u;
const STREAM_EXACT: u32 = 2u;
const STREAM_COMPONENT: u32 = 3u;
const STREAM_SCALAR: u32 = 4u;
const STREAM_STEP_NOISE2: u32 = 5u;
// Corrector noise: stream STREAM_CORRECTOR + 4 j + q for inner step j and normal sequence q.
const STREAM_CORRECTOR: u32 = 16u;

// High 32 bits of a * b by 16-bit limbs (WGSL has no u64).
fn mulhi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u;
  let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox4x32(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let hi0 = mulhi32(PHILOX_M0, c.x); let lo0 = PHILOX_M0 * c.x;
    let hi1 = mulhi32(PHILOX_M1, c.z); let lo1 = PHILOX_M1 * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// u32 -> uniform in (0, 1], exact in f32.
fn u32_to_uniform(r: u32) -> f32 {
  return f32((r >> 8u) + 1u) * 5.9604644775390625e-8;
}

// (cos 2 pi u, sin 2 pi u) to about 1e-7: WGSL's built-in sin/cos may be off by 2^-11, which would
// break agreement with the float64 reference. 4u is exact; reduce to the nearest quarter turn and
// evaluate Taylor polynomials on |x| <= pi/4 (truncation error < 2e-9).
fn cos_sin_2pi(u: f32) -> vec2<f32> {
  let v = 4.0 * u;
  let q = floor(v + 0.5);
  let x = (v - q) * 1.5707963267948966;
  let x2 = x * x;
  let s = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0))));
  let c = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0)));
  switch (u32(q) & 3u) {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}

// Four standard normals from one block: Box-Muller on word pairs (x, y) and (z, w);
// element 4b + 0/1 = r0 cos/sin, 4b + 2/3 = r1 cos/sin.
fn philox_normal4(key: vec2<u32>, particle: u32, step: u32, stream: u32, block: u32) -> vec4<f32> {
  let w = philox4x32(vec4<u32>(particle, step, stream, block), key);
  let r0 = sqrt(-2.0 * log(u32_to_uniform(w.x)));
  let r1 = sqrt(-2.0 * log(u32_to_uniform(w.z)));
  let a0 = cos_sin_2pi(u32_to_uniform(w.y));
  let a1 = cos_sin_2pi(u32_to_uniform(w.w));
  return vec4<f32>(r0 * a0.x, r0 * a0.y, r1 * a1.x, r1 * a1.y);
}

// Four uniforms in (0, 1] from one block.
fn philox_uniform4(key: vec2<u32>, particle: u32, step: u32, stream: u32, block: u32) -> vec4<f32> {
  let w = philox4x32(vec4<u32>(particle, step, stream, block), key);
  return vec4<f32>(u32_to_uniform(w.x), u32_to_uniform(w.y), u32_to_uniform(w.z), u32_to_uniform(w.w));
}
