/** The CLI's progress bar: a pure renderer, drawn only on a terminal, silent on pipes. */
import { describe, expect, it } from 'vitest';
import { progressBar, renderBar } from '../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, write: (s: string) => out.push(s), out };
}

describe('progress bar', () => {
  it('renders done of total as a bar of fixed width', () => {
    expect(renderBar('ddim webgpu', 0, 20, 10)).toBe('ddim webgpu [..........] 0/20');
    expect(renderBar('ddim webgpu', 10, 20, 10, 'rounds')).toBe('ddim webgpu [#####.....] 10/20 rounds');
    expect(renderBar('x', 20, 20, 4)).toBe('x [####] 20/20');
    expect(renderBar('x', 25, 20, 4)).toBe('x [####] 20/20'); // clamped
    expect(renderBar('x', -3, 20, 4)).toBe('x [....] 0/20');
    expect(renderBar('x', 1, 0, 4)).toBe('x [....] 0/0');
    expect(renderBar('x', 1, 3, 30).length).toBe('x [] 1/3'.length + 30);
  });

  it('on a terminal: redraws in place once per percent and ends the line', () => {
    const s = fakeStream(true);
    const bar = progressBar('heun', s, 'rounds');
    expect(bar.tty).toBe(true);
    for (let i = 0; i <= 400; i++) bar(i, 400);
    bar.finish();
    expect(s.out.length).toBe(101 + 1);
    expect(s.out[0]).toBe(`\r${renderBar('heun', 0, 400, 30, 'rounds')}`);
    expect(s.out[100]).toBe(`\r${renderBar('heun', 400, 400, 30, 'rounds')}`);
    expect(s.out.at(-1)).toBe('\n');
  });

  it('not on a terminal (pipe, file, CI log): writes nothing at all', () => {
    const s = fakeStream(false);
    const bar = progressBar('heun', s);
    expect(bar.tty).toBe(false);
    for (let i = 0; i <= 50; i++) bar(i, 50);
    bar.finish();
    expect(s.out).toEqual([]);
    const noFlag = { write: (x: string) => s.out.push(x) }; // a stream without isTTY
    const bar2 = progressBar('heun', noFlag);
    bar2(1, 2);
    bar2.finish();
    expect(s.out).toEqual([]);
  });
});
