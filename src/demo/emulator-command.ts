// `ncs-server emulator`: the Procore emulator alone, seeded with the demo world or a seed file.
import { readFile } from 'node:fs/promises';
import { AdminError, type AdminContext } from '../server/cli/context.js';
import { closeOnSignal } from '../server/cli/run.js';
import { BadRequestError, DEMO_APP, demoSeed, startEmulator, type EmulatorSeed } from '../procore-emulator/index.js';

async function loadSeed(seed: string | undefined): Promise<EmulatorSeed | undefined> {
  if (seed === undefined) return undefined;
  if (seed === 'demo') return demoSeed();
  let text: string;
  try {
    text = await readFile(seed, 'utf8');
  } catch (error) {
    throw new AdminError(`cannot read the seed file ${seed}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, 2);
  }
  try {
    return JSON.parse(text) as EmulatorSeed;
  } catch {
    throw new AdminError(`the seed file ${seed} is not valid JSON.`, 2);
  }
}

export async function runEmulator(options: { host: string; port: number; seed?: string; ctx: AdminContext }): Promise<{ closed: Promise<void> }> {
  const seed = await loadSeed(options.seed);
  let emulator;
  try {
    emulator = await startEmulator({ host: options.host, port: options.port, seed, app: { ...DEMO_APP, redirectUris: [...DEMO_APP.redirectUris] } });
  } catch (error) {
    if (error instanceof BadRequestError) throw new AdminError(`the seed is not valid: ${error.message}`, 2);
    throw error;
  }
  // Tests that start this as a child process read the URL from the first line of stdout.
  options.ctx.io.stdout.write(`${emulator.url}\n`);
  options.ctx.io.stderr.write(
    `Procore emulator listening on ${emulator.url} (client id ${DEMO_APP.clientId}); control endpoints under /__emulator. Ctrl-C stops it.\n`,
  );
  return { closed: closeOnSignal(() => emulator.close(), options.ctx) };
}
