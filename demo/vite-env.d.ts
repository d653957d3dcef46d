// Vite asset imports (`*?url`) used by the demo page.
/// <reference types="vite/client" />

// The MNIST digits as uint16 assets (scripts/vite-mnist-digits.ts).
declare module 'virtual:mnist-digits' {
  /** URL of class c's digits: 784 little-endian uint16 values q = 1000 v per digit. */
  export const MNIST_DIGIT_URLS: string[];
  /** Pixel value v = q / MNIST_PIXEL_SCALE. */
  export const MNIST_PIXEL_SCALE: number;
}
