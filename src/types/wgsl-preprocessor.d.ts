declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  /** Template-literal tag: resolves `#if ${cond}` / `#elif` / `#else` / `#endif` and inserts values. */
  export function wgsl(strings: TemplateStringsArray, ...values: unknown[]): string;
}
