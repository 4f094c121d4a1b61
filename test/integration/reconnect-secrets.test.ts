// SPEC 9.3 for the CLI: through every reconnect path, with --verbose HTTP traces, no live Procore token appears in
// anything `ncs` prints or keeps in its config directory, and neither does a token it was handed on stdin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oobCode, signInAtProcore } from './fixtures/procore-person.mjs';
import { expectNoProcoreTokenLeaked, startWorld, type IntegrationWorld } from './support/world.js';

let world: IntegrationWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

describe('no Procore token in CLI output or configuration', { timeout: 240_000 }, () => {
  it('after the loopback, wrong-account, denied, timed-out, out-of-band, token-stdin and --all-lost paths', async () => {
    const pushed: string[] = [];
    const exits: Array<number | string> = [];
    await world.login('gadmin');
    // Refused first, so that later successes do not make them moot.
    exits.push((await world.ncsDone(['reconnect', 'P-1002', '--verbose'], { person: [{ login: 'intruder@demo.example' }] })).exitCode);
    exits.push((await world.ncsDone(['reconnect', 'P-1002', '--verbose', '--json'], { person: [{ decision: 'deny' }] })).exitCode);
    exits.push((await world.ncsDone(['reconnect', 'P-1002', '--timeout', '1'], { person: [{ decision: 'ignore' }] })).exitCode);
    exits.push((await world.ncsDone(['reconnect', 'P-1005', '--verbose'], { person: [{ login: 'dchan@demo.example' }] })).exitCode);
    // Loopback success, tampering included.
    exits.push((await world.ncsDone(['reconnect', 'P-1002', '--verbose'], { person: [{ login: 'jsmith@demo.example', preludes: ['tampered_state', 'forged_error'] }] })).exitCode);
    // Out-of-band.
    const oob = world.ncs(['reconnect', 'P-1004', '--oob', '--verbose']);
    await oob.waitFor(/http:\/\/localhost:\d+\/oauth\/authorize\?\S+/, 60_000);
    const code = oobCode((await signInAtProcore(/http:\/\/localhost:\d+\/oauth\/authorize\?\S+/.exec(oob.stderr())![0], { login: 'rkim@demo.example' })).page);
    oob.child.stdin.end(`${code}\n`);
    exits.push(await oob.exited);
    // A pushed token (rotated by the server, so what was pushed dies; it must not be echoed either).
    const token = (await world.emulator('POST', '/__emulator/accounts/jsmith@demo.example/tokens', { clientId: 'ncs-demo' })) as { access_token: string; refresh_token: string };
    pushed.push(token.access_token, token.refresh_token);
    exits.push((await world.ncsDone(['reconnect', 'P-1002', '--token-stdin', '--force', '--verbose'], { stdin: JSON.stringify(token) })).exitCode);
    // Everything is back but P-1005: --all-lost has nothing a sign-in can fix.
    exits.push((await world.ncsDone(['reconnect', '--all-lost', '--verbose', '--json'], { person: [{ login: 'dchan@demo.example' }] })).exitCode);

    expect(exits).toEqual([6, 6, 6, 6, 0, 0, 0, 0]);
    const live = await world.liveProcoreTokens();
    expect(live.length).toBeGreaterThan(0);
    await expectNoProcoreTokenLeaked(world, pushed);
    // Not even a recognisable piece of one (a JWT-shaped access token's signature, a refresh token's hex).
    for (const text of world.cliTraces()) expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ|\b[0-9a-f]{64}\b/);
  });
});
