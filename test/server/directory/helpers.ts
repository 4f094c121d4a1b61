// Test helpers for the directory: users and projects seeded through the real functions, sign-in requests.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../../src/server/db/connect.js';
import { createUser, type UserRecord } from '../../../src/server/directory/index.js';
import { addProject } from '../../../src/server/projects/project-admin.js';

export const PASSWORD = 'correct horse battery';

export async function seedUser(db: Db, username: string, now: Date, options: { isGlobalAdmin?: boolean; displayName?: string } = {}): Promise<UserRecord> {
  return createUser(db, { username, displayName: options.displayName ?? `${username} Display`, password: PASSWORD, isGlobalAdmin: options.isGlobalAdmin }, now);
}

/** A project with one ball-in-court assignment per `bic` username (logins `<user>@example.test`). */
export async function seedProject(db: Db, number: string, bic: string[], now: Date): Promise<string> {
  await addProject(
    db,
    {
      number,
      name: `Project ${number}`,
      companyId: '4294967297',
      projectId: String(4294967300 + Math.floor(Math.random() * 1000)),
      ballInCourt: bic.map((username) => ({ username, procoreLogin: `${username}@example.test` })),
    },
    now,
  );
  const row = await db.selectFrom('projects').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  return row.id;
}

export function signInRequest(
  app: FastifyInstance,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
