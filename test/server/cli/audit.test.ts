import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../../src/server/audit/audit-log.js';
import { parseSince } from '../../../src/server/directory/admin/audit.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { openCliDatabase, runCli, type CliDatabase } from './directory-cli-support.js';

const kinds = await availableDatabaseKinds();
const HOUR = 3_600_000;

describe('audit list --since', () => {
  const now = new Date('2025-03-02T12:00:00.000Z');
  it.each([
    ['24h', '2025-03-01T12:00:00.000Z'],
    ['30m', '2025-03-02T11:30:00.000Z'],
    ['7d', '2025-02-23T12:00:00.000Z'],
    ['2025-03-01', '2025-03-01T00:00:00.000Z'],
    ['2025-03-01T09:30:00Z', '2025-03-01T09:30:00.000Z'],
    ['2025-03-01T09:30:00', '2025-03-01T09:30:00.000Z'],
    ['2025-03-01T09:30:00+02:00', '2025-03-01T07:30:00.000Z'],
  ])('reads %j', (value, expected) => {
    expect(parseSince(value, now).toISOString()).toBe(expected);
  });

  it.each(['yesterday', '24', '2025-13-45', '-1h'])('refuses %j, naming the accepted forms', (value) => {
    expect(() => parseSince(value, now)).toThrow(/duration \(30m, 24h, 7d\).*ISO 8601/);
  });
});

describe.each(kinds)('ncs-server audit list on %s', (kind) => {
  let database: CliDatabase;
  afterEach(async () => database?.close());

  async function seedAudit(): Promise<void> {
    const now = Date.now();
    await appendAudit(database.db, { actor: 'jsmith', action: 'sign_in_failed', at: new Date(now - 48 * HOUR), details: { address: '203.0.113.7' } });
    await appendAudit(database.db, { actor: 'jsmith', action: 'sign_in', at: new Date(now - 2 * HOUR), details: { address: '127.0.0.1', sessionId: 'ses_1' } });
    await appendAudit(database.db, { actor: 'padmin', action: 'reconnect_succeeded', projectNumber: 'P-1002', at: new Date(now - HOUR), details: { restored: ['P-1002', 'P-1003'] } });
  }

  it('prints the entries oldest first, one readable line each', async () => {
    database = await openCliDatabase(kind);
    await seedAudit();
    const result = await runCli(database.cliEnv, ['audit', 'list']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+PROJECT\s+DETAILS$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+jsmith\s+sign_in_failed\s+-\s+address=203\.0\.113\.7$/);
    expect(lines[2]).toMatch(/jsmith\s+sign_in\s+-\s+address=127\.0\.0\.1 sessionId=ses_1$/);
    expect(lines[3]).toMatch(/padmin\s+reconnect_succeeded\s+P-1002\s+restored=\["P-1002","P-1003"\]$/);
  });

  it('--since 24h leaves out older entries, and --json prints them as data', async () => {
    database = await openCliDatabase(kind);
    await seedAudit();
    const result = await runCli(database.cliEnv, ['audit', 'list', '--since', '24h', '--json']);
    expect(result.exitCode).toBe(0);
    const entries = JSON.parse(result.stdout) as { actor: string; action: string; projectNumber: string | null; details: unknown }[];
    expect(entries.map((entry) => [entry.actor, entry.action, entry.projectNumber])).toEqual([
      ['jsmith', 'sign_in', null],
      ['padmin', 'reconnect_succeeded', 'P-1002'],
    ]);
    expect(entries[1]!.details).toEqual({ restored: ['P-1002', 'P-1003'] });
  });

  it('says so on stderr when there is nothing to show', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['audit', 'list']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '' });
    expect(result.stderr).toContain('The audit log is empty.');
  });

  it('--since with an unreadable value is a usage error', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['audit', 'list', '--since', 'yesterday']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--since "yesterday" is neither a duration/);
  });
});
