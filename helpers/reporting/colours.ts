/**
 * ANSI colours, on or off as a whole. Everything the reporter prints goes through one Palette, so
 * "no escape codes with --no-color, NO_COLOR or without a TTY" holds by construction and is checked
 * in one place (loadConfig().color decides).
 */

export interface Palette {
  enabled: boolean;
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { enabled, green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return {
    enabled,
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

// CSI and OSC sequences: what chalk and Jest's own formatting emit.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Text with every escape sequence removed, e.g. Jest failure messages printed without colour. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}
