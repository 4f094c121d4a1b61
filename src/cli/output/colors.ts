// Colour helpers: chalk only when colour is on, plain identity functions (and no chalk import) otherwise.

export interface Colors {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain = (text: string): string => text;
export const NO_COLORS: Colors = { bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain };

export async function loadColors(enabled: boolean): Promise<Colors> {
  if (!enabled) return NO_COLORS;
  const { Chalk } = await import('chalk');
  // The decision is ours (TTY, --no-color, NO_COLOR, --json), so chalk's own detection is overridden.
  const chalk = new Chalk({ level: 1 });
  return {
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
    green: (t) => chalk.green(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    cyan: (t) => chalk.cyan(t),
  };
}
