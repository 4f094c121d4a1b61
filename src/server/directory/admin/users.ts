// Behaviour of `ncs-server users …`: add, passwd, rename, remove, list, grant and revoke (declared in src/server/cli/users.ts).
import { appendAudit } from '../../audit/audit-log.js';
import { AdminError, type AdminContext } from '../../cli/context.js';
import { readNewPassword } from '../../cli/read-password.js';
import { resolveProjectNumbers } from '../project-numbers.js';
import {
  createUser,
  findUser,
  grantProjectAdmin,
  listUsers,
  removeUser,
  renameUser,
  requireUser,
  revokeProjectAdmin,
  setGlobalAdmin,
  setPassword,
} from '../users.js';
import { usernameProblem } from '../usernames.js';
import { adminActor, asAdmin, formatTable, shortTime } from './common.js';

export async function addUser(ctx: AdminContext, opts: { username: string; displayName: string; globalAdmin: boolean }): Promise<void> {
  const problem = usernameProblem(opts.username);
  if (problem) throw new AdminError(problem, 2);
  const db = await ctx.openDb();
  // Refuse a taken name before asking for a password nobody will use.
  const existing = await findUser(db, opts.username);
  if (existing) throw new AdminError(`the NCS user "${existing.username}" already exists (\`ncs-server users passwd ${existing.username}\` changes the password).`);
  const password = await readNewPassword(ctx.io, opts.username);
  const now = ctx.now();
  const user = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const created = await createUser(trx, { username: opts.username, displayName: opts.displayName, password, isGlobalAdmin: opts.globalAdmin }, now);
      await appendAudit(trx, {
        actor: adminActor(ctx.env),
        action: 'user_added',
        at: now,
        details: { username: created.username, displayName: created.displayName, globalAdmin: created.isGlobalAdmin },
      });
      return created;
    }),
  );
  ctx.io.stderr.write(`Added ${user.username} ("${user.displayName}")${user.isGlobalAdmin ? ' as a Global Admin' : ''}.\n`);
}

export async function changePassword(ctx: AdminContext, opts: { username: string }): Promise<void> {
  const db = await ctx.openDb();
  const user = await asAdmin(() => requireUser(db, opts.username));
  const password = await readNewPassword(ctx.io, user.username);
  const now = ctx.now();
  const { revokedSessions } = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const changed = await setPassword(trx, user.username, password, now);
      await appendAudit(trx, {
        actor: adminActor(ctx.env),
        action: 'password_changed',
        at: now,
        details: { username: changed.user.username, revokedSessions: changed.revokedSessions },
      });
      return changed;
    }),
  );
  const sessions = revokedSessions === 1 ? '1 session' : `${revokedSessions} sessions`;
  ctx.io.stderr.write(`Changed the password of ${user.username}; ended ${sessions} (API tokens stay valid).\n`);
}

export async function renameDisplayName(ctx: AdminContext, opts: { username: string; displayName: string }): Promise<void> {
  const db = await ctx.openDb();
  const now = ctx.now();
  const user = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const before = await requireUser(trx, opts.username);
      const renamed = await renameUser(trx, opts.username, opts.displayName, now);
      await appendAudit(trx, {
        actor: adminActor(ctx.env),
        action: 'user_renamed',
        at: now,
        details: { username: renamed.username, from: before.displayName, to: renamed.displayName },
      });
      return renamed;
    }),
  );
  ctx.io.stderr.write(`${user.username} is now shown as "${user.displayName}".\n`);
}

export async function deleteUser(ctx: AdminContext, opts: { username: string }): Promise<void> {
  const db = await ctx.openDb();
  const now = ctx.now();
  const removed = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const result = await removeUser(trx, opts.username, now);
      await appendAudit(trx, {
        actor: adminActor(ctx.env),
        action: 'user_removed',
        at: now,
        details: { username: result.user.username, revokedTokens: result.revokedTokens, projectAdminGrants: result.projectAdminGrants },
      });
      return result;
    }),
  );
  ctx.io.stderr.write(
    `Removed ${removed.user.username}: revoked ${removed.revokedTokens} session(s) and API token(s), ` +
      `${removed.projectAdminGrants} Project Admin grant(s). Ball-in-court assignments stay.\n`,
  );
}

export async function printUsers(ctx: AdminContext, opts: { json: boolean }): Promise<void> {
  const users = await listUsers(await ctx.openDb());
  if (opts.json) {
    const out = users.map((user) => ({
      username: user.username,
      displayName: user.displayName,
      isGlobalAdmin: user.isGlobalAdmin,
      projectAdminOf: user.projectAdminOf,
      createdAt: user.createdAt,
    }));
    ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (users.length === 0) {
    ctx.io.stderr.write('No NCS users yet: add one with `ncs-server users add USER --display-name NAME`.\n');
    return;
  }
  const rows = users.map((user) => [
    user.username,
    user.displayName,
    user.isGlobalAdmin ? 'yes' : 'no',
    user.projectAdminOf.join(', ') || '-',
    shortTime(user.createdAt),
  ]);
  ctx.io.stdout.write(formatTable(['USERNAME', 'DISPLAY NAME', 'GLOBAL ADMIN', 'PROJECT ADMIN OF', 'CREATED'], rows));
}

export type RoleName = 'global-admin' | 'project-admin';

function parseRole(role: string, projectNumbers: string[]): RoleName {
  if (role === 'global-admin') {
    if (projectNumbers.length > 0) throw new AdminError('global-admin takes no project numbers.', 2);
    return role;
  }
  if (role === 'project-admin') {
    if (projectNumbers.length === 0) throw new AdminError('project-admin needs one or more project numbers, e.g. `project-admin P-1001 P-1002`.', 2);
    return role;
  }
  throw new AdminError(`"${role}" is not a role: use global-admin or project-admin P-1001 [P-1002…].`, 2);
}

/** `users grant` (grant = true) and `users revoke`: all project numbers must exist, else nothing changes. */
export async function changeRole(
  ctx: AdminContext,
  opts: { username: string; role: string; projectNumbers: string[]; grant: boolean },
): Promise<void> {
  const role = parseRole(opts.role, opts.projectNumbers);
  const db = await ctx.openDb();
  const now = ctx.now();
  const verb = opts.grant ? 'granted' : 'revoked';
  const summary = await asAdmin(() =>
    db.transaction().execute(async (trx) => {
      const user = await requireUser(trx, opts.username);
      if (role === 'global-admin') {
        const { changed } = await setGlobalAdmin(trx, user.username, opts.grant);
        if (changed) {
          await appendAudit(trx, {
            actor: adminActor(ctx.env),
            action: opts.grant ? 'role_granted' : 'role_revoked',
            at: now,
            details: { username: user.username, role },
          });
        }
        return changed
          ? `${user.username}: Global Admin ${verb}.`
          : `${user.username} ${opts.grant ? 'already is' : 'is not'} a Global Admin; nothing changed.`;
      }
      const projects = await resolveProjectNumbers(trx, opts.projectNumbers);
      const ids = projects.map((project) => project.id);
      const changedIds = new Set(opts.grant ? await grantProjectAdmin(trx, user.username, ids) : await revokeProjectAdmin(trx, user.username, ids));
      const changed = projects.filter((project) => changedIds.has(project.id)).map((project) => project.number);
      const unchanged = projects.filter((project) => !changedIds.has(project.id)).map((project) => project.number);
      if (changed.length > 0) {
        await appendAudit(trx, {
          actor: adminActor(ctx.env),
          action: opts.grant ? 'role_granted' : 'role_revoked',
          at: now,
          details: { username: user.username, role, projects: changed },
        });
      }
      const parts = [];
      if (changed.length > 0) parts.push(`Project Admin ${verb} on ${changed.join(', ')}`);
      if (unchanged.length > 0) parts.push(`${opts.grant ? 'already Project Admin' : 'was not Project Admin'} of ${unchanged.join(', ')}`);
      return `${user.username}: ${parts.join('; ')}.`;
    }),
  );
  ctx.io.stderr.write(`${summary}\n`);
}
