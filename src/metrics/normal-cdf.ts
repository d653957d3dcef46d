/**
 * The standard normal CDF in float64, by Hart's rational approximation as given by West (2005,
 * "Better approximations to cumulative normal functions"), accurate to about 1e-14 absolute and
 * 1e-8 relative in the far lower tail.
 */

/** Phi(x) = P(Z <= x) for Z ~ N(0, 1). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let c: number;
  if (ax > 38) c = 0;
  else {
    const e = Math.exp(-0.5 * ax * ax);
    if (ax < 7.07106781186547) {
      let b = 3.52624965998911e-2 * ax + 0.700383064443688;
      b = b * ax + 6.37396220353165;
      b = b * ax + 33.912866078383;
      b = b * ax + 112.079291497871;
      b = b * ax + 221.213596169931;
      b = b * ax + 220.206867912376;
      let q = 8.83883476483184e-2 * ax + 1.75566716318264;
      q = q * ax + 16.064177579207;
      q = q * ax + 86.7807322029461;
      q = q * ax + 296.564248779674;
      q = q * ax + 637.333633378831;
      q = q * ax + 793.826512519948;
      q = q * ax + 440.413735824752;
      c = (e * b) / q;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** P(a < Z <= b) for Z ~ N(0, 1), without cancellation in either tail. */
export function normalInterval(a: number, b: number): number {
  if (!(b > a)) return 0;
  if (a >= 0) return normalCdf(-a) - normalCdf(-b);
  return normalCdf(b) - normalCdf(a);
}
