/** A progress bar on stderr when it is a terminal; silent otherwise. */
export function progressBar(label: string): ((done: number, total: number) => void) & { finish(): void } {
  const tty = process.stderr.isTTY === true;
  let last = -1;
  const f = (done: number, total: number) => {
    if (!tty || total <= 0) return;
    const pct = Math.floor((100 * done) / total);
    if (pct === last) return;
    last = pct;
    const width = 30, fill = Math.round((width * done) / total);
    process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total}`);
  };
  return Object.assign(f, { finish: () => { if (tty && last >= 0) process.stderr.write('\n'); } });
}
