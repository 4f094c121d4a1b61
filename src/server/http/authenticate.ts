// Resolves `Authorization: Bearer` into the signed-in viewer (session or API token), sliding session expiry.
import type { FastifyRequest } from 'fastify';
import { NcsError } from '../../core/index.js';
import type { ServerDeps } from '../deps.js';
import type { Db } from '../db/connect.js';
import { reusableQuery } from '../db/reusable-query.js';
import { sha256Hex } from '../ids.js';

export interface Viewer {
  username: string;
  usernameKey: string;
  displayName: string;
  isGlobalAdmin: boolean;
  tokenId: string;
  tokenKind: 'session' | 'api';
}

export const SESSION_SLIDING_MS = 12 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** Sliding expiry is written at most this often per session, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

/** Every authenticated request runs this lookup, so it is compiled once. */
const findToken = reusableQuery((db: Db, tokenHash: string) =>
  db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.username_key', 'auth_tokens.username_key')
    .select([
      'auth_tokens.id',
      'auth_tokens.kind',
      'auth_tokens.expires_at',
      'auth_tokens.absolute_expires_at',
      'auth_tokens.last_used_at',
      'auth_tokens.revoked_at',
      'users.username',
      'users.username_key',
      'users.display_name',
      'users.is_global_admin',
    ])
    .where('auth_tokens.token_hash', '=', tokenHash),
);

export async function authenticateBearer(deps: ServerDeps, authorization: string | undefined): Promise<Viewer> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new NcsError('unauthenticated');
  const token = match[1]!;
  const [row] = await findToken(deps.db, sha256Hex(token));
  const now = deps.now();
  const nowIso = now.toISOString();
  if (!row || row.revoked_at || row.expires_at <= nowIso || row.absolute_expires_at <= nowIso) {
    throw new NcsError('session_expired');
  }
  const lastUsed = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now.getTime() - lastUsed >= TOUCH_EVERY_MS) {
    const slid =
      row.kind === 'session'
        ? new Date(Math.min(now.getTime() + SESSION_SLIDING_MS, Date.parse(row.absolute_expires_at))).toISOString()
        : row.expires_at;
    await deps.db.updateTable('auth_tokens').set({ last_used_at: nowIso, expires_at: slid }).where('id', '=', row.id).execute();
  }
  return {
    username: row.username,
    usernameKey: row.username_key,
    displayName: row.display_name,
    isGlobalAdmin: row.is_global_admin === 1,
    tokenId: row.id,
    tokenKind: row.kind,
  };
}

/** For route options: `{ onRequest: requireViewer(deps) }`. */
export function requireViewer(deps: ServerDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    request.viewer = await authenticateBearer(deps, request.headers.authorization);
  };
}

export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new NcsError('unauthenticated');
  return request.viewer;
}
