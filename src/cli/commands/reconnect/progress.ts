// Progress on stderr while `ncs reconnect` waits: a spinner with the time left on a terminal, plain lines elsewhere.
import type { TextSink } from '../../io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
const CLEAR_LINE = '\r\u001b[2K';

/** "4:05" for 245 seconds. */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export interface Progress {
  /** A message line; on a terminal it goes above the spinner. */
  say(line: string): void;
  /** Shows the spinner with `text()` (redrawn every frame) until `stop`; a no-op where spinners are off. */
  spin(text: () => string): void;
  stop(): void;
}

/** `animated`: stderr is a terminal and neither --json nor a prompt is in the way. */
export function createProgress(sink: TextSink, animated: boolean): Progress {
  let timer: NodeJS.Timeout | undefined;
  let text: (() => string) | undefined;
  let frame = 0;
  const draw = () => {
    if (text) sink.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${text()}`);
  };
  return {
    say(line) {
      if (timer) sink.write(CLEAR_LINE);
      sink.write(`${line}\n`);
      if (timer) draw();
    },
    spin(next) {
      if (!animated) return;
      text = next;
      if (!timer) timer = setInterval(draw, FRAME_MS);
      draw();
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      text = undefined;
      sink.write(CLEAR_LINE);
    },
  };
}
