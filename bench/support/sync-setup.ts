// Child process (bundled by sync-child.ts, running dist/): a backend database with N connected projects and a credential
// per account, every one due for refresh. Run apart from the measured process so that its memory does not count there.
import { OOB_REDIRECT_URI, type ProcoreTokenResponse } from '../../src/core/index.js';
import { parseTokenResponse } from '../../src/procore/index.js';
import { loadServerConfig } from '../../src/server/config.js';
import { storeCredential } from '../../src/server/credentials/store.js';
import { buildDeps } from '../../src/server/server.js';
import { seedProjects } from '../../test/support/seed-projects.js';
import { accountId, accountLogin, accountOf, accountUsername, BENCH_COMPANY_ID, emulatorControl } from './sync-world.js';

/** Issued long ago, a minute left: min(5 min, lifetime / 2) says refresh. */
const LEFT_MS = 60_000;

const projects = Number(process.env.BENCH_PROJECTS);
const accounts = Number(process.env.BENCH_ACCOUNTS);
const emulatorUrl = process.env.PROCORE_API_URL!;

const deps = await buildDeps(loadServerConfig(process.env));
try {
  await seedProjects(deps.db, {
    count: projects,
    companyId: BENCH_COMPANY_ID,
    bic: (index) => {
      const account = accountOf(index, accounts);
      return [{ username: accountUsername(account), procoreLogin: accountLogin(account), procoreUserId: String(accountId(account)), result: 'ok' }];
    },
  });
  for (let account = 0; account < accounts; account++) {
    const login = accountLogin(account);
    const minted = await emulatorControl<ProcoreTokenResponse>(emulatorUrl, 'POST', `/__emulator/accounts/${encodeURIComponent(login)}/tokens`, {});
    const now = new Date();
    const tokens = parseTokenResponse(minted, now.getTime());
    const expiresAt = new Date(now.getTime() + LEFT_MS);
    await storeCredential(deps.db, deps.vault, {
      procoreUserId: String(accountId(account)),
      procoreLogin: login,
      tokens: { ...tokens, expiresAt, createdAt: new Date(expiresAt.getTime() - tokens.expiresInSeconds * 1000) },
      redirectUri: OOB_REDIRECT_URI,
      obtainedBy: 'bench',
      now,
    });
  }
} finally {
  await deps.db.destroy();
}
