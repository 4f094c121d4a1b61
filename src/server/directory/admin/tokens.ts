// Behaviour of `ncs-server tokens …`: create (the token printed once), list (never the token), revoke by id.
import { appendAudit } from '../../audit/audit-log.js';
import type { AdminContext } from '../../cli/context.js';
import { createApiToken, listApiTokens, parseTokenLifetime, revokeApiToken, type ApiTokenListing } from '../api-tokens.js';
import { adminActor, asAdmin, formatTable, shortTime } from './common.js';

export async function createToken(ctx: AdminContext, opts: { username: string; name: string; expiresIn?: string }): Promise<void> {
  const lifetimeMs = opts.expiresIn === undefined ? undefined : await asAdmin(async () => parseTokenLifetime(opts.expiresIn!));
  const db = await ctx.openDb();
  const now = ctx.now();
  const created = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const token = await createApiToken(trx, { username: opts.username, name: opts.name, lifetimeMs }, now);
      await appendAudit(trx, {
        actor: adminActor(ctx.env),
        action: 'api_token_created',
        at: now,
        details: { tokenId: token.id, username: token.username, name: token.name, expiresAt: token.expiresAt },
      });
      return token;
    }),
  );
  // The token alone on stdout, so `TOKEN=$(ncs-server tokens create …)` captures it; it is never shown again.
  ctx.io.stdout.write(`${created.token}\n`);
  ctx.io.stderr.write(
    `Created API token ${created.id} "${created.name}" for ${created.username}, valid until ${shortTime(created.expiresAt)}. ` +
      'Store it now: it cannot be shown again.\n',
  );
}

function statusOf(token: ApiTokenListing, now: Date): 'revoked' | 'expired' | 'active' {
  if (token.revokedAt) return 'revoked';
  return token.expiresAt <= now.toISOString() ? 'expired' : 'active';
}

export async function printTokens(ctx: AdminContext, opts: { json: boolean; username?: string }): Promise<void> {
  const tokens = await listApiTokens(await ctx.openDb(), { username: opts.username });
  const now = ctx.now();
  if (opts.json) {
    ctx.io.stdout.write(`${JSON.stringify(tokens.map((token) => ({ ...token, status: statusOf(token, now) })), null, 2)}\n`);
    return;
  }
  if (tokens.length === 0) {
    ctx.io.stderr.write('No API tokens: create one with `ncs-server tokens create --user U --name N`.\n');
    return;
  }
  const rows = tokens.map((token) => [
    token.id,
    token.username,
    token.name,
    shortTime(token.createdAt),
    shortTime(token.expiresAt),
    shortTime(token.lastUsedAt),
    token.revokedAt ? `revoked ${shortTime(token.revokedAt)}` : statusOf(token, now),
  ]);
  ctx.io.stdout.write(formatTable(['ID', 'USER', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED', 'STATUS'], rows));
}

export async function revokeToken(ctx: AdminContext, opts: { id: string }): Promise<void> {
  const db = await ctx.openDb();
  const now = ctx.now();
  const outcome = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const result = await revokeApiToken(trx, opts.id.trim(), now);
      if (!result.alreadyRevoked) {
        await appendAudit(trx, {
          actor: adminActor(ctx.env),
          action: 'api_token_revoked',
          at: now,
          details: { tokenId: result.token.id, username: result.token.username, name: result.token.name },
        });
      }
      return result;
    }),
  );
  const { token } = outcome;
  ctx.io.stderr.write(
    outcome.alreadyRevoked
      ? `API token ${token.id} "${token.name}" of ${token.username} was already revoked at ${shortTime(token.revokedAt)}.\n`
      : `Revoked API token ${token.id} "${token.name}" of ${token.username}.\n`,
  );
}
