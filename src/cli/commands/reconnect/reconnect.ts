// `ncs reconnect` behaviour (SPEC 6.2): the seam where the reconnect flow is built; until then it says so.
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../factory.js';

export interface ReconnectOptions {
  context: CommandContext;
  /** As typed; resolve it with `resolveProject(client, project, { command: 'ncs reconnect' })`. */
  project?: string;
  allLost: boolean;
  /** False with `--no-browser`. */
  browser: boolean;
  oob: boolean;
  timeoutSeconds: number;
  force: boolean;
  tokenStdin: boolean;
}

export async function reconnect(_options: ReconnectOptions): Promise<number | void> {
  throw new CliError('not_implemented', { message: '`ncs reconnect` is not available in this build of ncs yet.' });
}
