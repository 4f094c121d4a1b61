// A Project Admin reconnects through the portal (SPEC 8): restored projects they cannot see are counted, not named.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { procoreSignIn, projectIdOf, startPortalWorld, type PortalWorld } from './portal-world.js';

let world: PortalWorld;
beforeAll(async () => {
  world = await startPortalWorld();
});
afterAll(async () => {
  await world?.close();
});

it('padmin reconnecting P-1002 as jsmith gets P-1002 back and is told one other project was restored', async () => {
  const client = world.client();
  await client.signIn('padmin');
  const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'jsmith@demo.example');
  expect((await client.get(callback)).headers.location).toBe('/connectorweb/Projects');
  const page = (await client.get('/connectorweb/Projects')).body;
  expect(page).toMatch(/role="status"[\s\S]*Restored: P-1002 Civic Library\.[\s\S]*1 other project you cannot see was restored too/);
  expect(page).not.toContain('P-1003');
  expect(await world.statuses()).toMatchObject({ 'P-1002': 'connected', 'P-1003': 'connected' });
});
