/** The CLI's progress bar: drawn on stderr when it is a terminal, silent otherwise. */

/** Where a bar is drawn: a writable stream that may be a terminal. */
export interface BarStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * One frame of the bar, e.g. `ddim webgpu [###############...............] 10/20 rounds` (a pure
 * function). `done` is clamped to 0 .. total; `total <= 0` draws an empty bar.
 */
export function renderBar(label: string, done: number, total: number, width = 30, unit = ''): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const fill = Math.round(width * frac);
  const shown = total > 0 ? Math.min(total, Math.max(0, done)) : 0;
  return `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${shown}/${Math.max(0, total)}${unit ? ` ${unit}` : ''}`;
}

/**
 * A progress callback `(done, total)` that redraws the bar in place (`\r`) on `stream` when it is a
 * terminal, once per percent, and writes nothing at all when it is not (pipes, files, CI logs).
 * `finish()` ends the line.
 */
export function progressBar(label: string, stream: BarStream = process.stderr, unit = ''): ((done: number, total: number) => void) & { finish(): void; readonly tty: boolean } {
  const tty = stream.isTTY === true;
  let last = -1;
  const f = (done: number, total: number) => {
    if (!tty || total <= 0) return;
    const pct = Math.floor((100 * done) / total);
    if (pct === last) return;
    last = pct;
    stream.write(`\r${renderBar(label, done, total, 30, unit)}`);
  };
  return Object.assign(f, { tty, finish: () => { if (tty && last >= 0) stream.write('\n'); } });
}
