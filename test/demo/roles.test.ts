// SPEC 8's table of who sees and may do what, run for every demo user, project and action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDatabaseKinds } from '../support/databases.js';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.js';

const PROJECTS = ['P-1001', 'P-1002', 'P-1003', 'P-1004', 'P-1005'];
const VISIBLE: Record<string, string[]> = {
  gadmin: PROJECTS,
  padmin: ['P-1001', 'P-1002'],
  jsmith: ['P-1002', 'P-1003'],
  mlee: ['P-1001'],
  rkim: ['P-1004'],
  dchan: ['P-1005'],
  viewer: [],
};
const GLOBAL_ADMINS = new Set(['gadmin']);
const PROJECT_ADMIN_OF: Record<string, string[]> = { padmin: ['P-1001', 'P-1002'] };

type Action = 'show' | 'check' | 'start reconnect' | 'complete reconnect' | 'push raw token' | 'request sync';
const ACTIONS: Action[] = ['show', 'check', 'start reconnect', 'complete reconnect', 'push raw token', 'request sync'];

/** The status SPEC 8 implies: 404 when not visible, 403 when visible but not allowed, else the action's own answer. */
function expectedStatus(user: string, project: string, action: Action): number {
  if (!VISIBLE[user]!.includes(project)) return 404;
  switch (action) {
    case 'show':
    case 'check':
      return 200;
    case 'start reconnect':
      return 201; // an attempt is created
    case 'complete reconnect':
      return 409; // allowed, but the made-up attempt is refused
    case 'push raw token':
      return GLOBAL_ADMINS.has(user) ? 422 : 403; // allowed for Global Admins, but the made-up token is refused
    case 'request sync':
      return GLOBAL_ADMINS.has(user) || PROJECT_ADMIN_OF[user]?.includes(project) ? 202 : 403;
  }
}

function request(action: Action, project: string): { method: 'GET' | 'POST'; url: string; payload?: unknown } {
  const base = `/api/v1/projects/${project}`;
  switch (action) {
    case 'show':
      return { method: 'GET', url: base };
    case 'check':
      return { method: 'POST', url: `${base}/check` };
    case 'start reconnect':
      return { method: 'POST', url: `${base}/reconnect`, payload: {} };
    case 'complete reconnect':
      return { method: 'POST', url: `${base}/procore-token`, payload: { attemptId: 'att_madeup', state: 'made-up-state', code: 'made-up-code' } };
    case 'push raw token':
      return {
        method: 'POST',
        url: `${base}/procore-token`,
        payload: { token: { access_token: 'made.up.token', token_type: 'bearer', expires_in: 5400, refresh_token: 'f'.repeat(64), created_at: 1_700_000_000 } },
      };
    case 'request sync':
      return { method: 'POST', url: `${base}/sync` };
  }
}

describe.each(await availableDatabaseKinds())('roles and visibility of the demo on %s', (kind) => {
  let world: DemoWorld;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    world = await startDemoWorld(kind);
    for (const user of Object.keys(VISIBLE)) tokens.set(user, await world.signIn(user));
  }, 120_000);
  afterAll(async () => world?.close());

  it.each(Object.keys(VISIBLE))('%s lists exactly the projects of SPEC 8', async (user) => {
    const response = await world.server.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${tokens.get(user)}` } });
    expect(response.statusCode).toBe(200);
    expect((response.json() as { items: { number: string }[] }).items.map((item) => item.number)).toEqual(VISIBLE[user]);
  });

  const cases = Object.keys(VISIBLE).flatMap((user) => PROJECTS.flatMap((project) => ACTIONS.map((action) => [user, project, action] as const)));
  it.each(cases)('%s on %s: %s answers as SPEC 8 says', async (user, project, action) => {
    const response = await world.server.app.inject({ ...request(action, project), headers: { authorization: `Bearer ${tokens.get(user)}` } } as never);
    const expected = expectedStatus(user, project, action);
    expect(response.statusCode, response.body).toBe(expected);
    if (expected === 404) expect(response.json()).toMatchObject({ error: { code: 'project_not_found' } });
    if (expected === 403) expect(response.json()).toMatchObject({ error: { code: 'forbidden' } });
  });
});
