// Named leases in the database (src/server/leases.ts), on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leaseHolder, releaseLease, tryAcquireLease, waitForLease } from '../../../src/server/leases.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';

const kinds = await availableDatabaseKinds();
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(kinds)('leases on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => database?.close());

  it('gives a free lease to the first holder only', async () => {
    expect(await tryAcquireLease(database.db, 'refresh:1', 'a', 60_000, T0)).toBe(true);
    expect(await tryAcquireLease(database.db, 'refresh:1', 'b', 60_000, at(59_999))).toBe(false);
    expect(await leaseHolder(database.db, 'refresh:1', at(1))).toBe('a');
    expect(await tryAcquireLease(database.db, 'refresh:2', 'b', 60_000, T0)).toBe(true);
  });

  it('lets one of many concurrent takers win', async () => {
    const holders = Array.from({ length: 8 }, (_, i) => `h${i}`);
    const won = await Promise.all(holders.map((holder) => tryAcquireLease(database.db, 'race', holder, 60_000, T0)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('lets another holder take over an expired lease, once', async () => {
    await tryAcquireLease(database.db, 'sync:p', 'crashed', 60_000, T0);
    const takers = await Promise.all(['b', 'c', 'd'].map((holder) => tryAcquireLease(database.db, 'sync:p', holder, 60_000, at(60_000))));
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect(await leaseHolder(database.db, 'sync:p', at(60_001))).not.toBe('crashed');
  });

  it('renews a lease for its own holder', async () => {
    await tryAcquireLease(database.db, 'x', 'a', 1000, T0);
    expect(await tryAcquireLease(database.db, 'x', 'a', 1000, at(500))).toBe(true);
    expect(await tryAcquireLease(database.db, 'x', 'b', 1000, at(1200))).toBe(false);
  });

  it('releases only for its holder', async () => {
    await tryAcquireLease(database.db, 'x', 'a', 60_000, T0);
    await releaseLease(database.db, 'x', 'b');
    expect(await leaseHolder(database.db, 'x', T0)).toBe('a');
    await releaseLease(database.db, 'x', 'a');
    expect(await leaseHolder(database.db, 'x', T0)).toBeUndefined();
    expect(await tryAcquireLease(database.db, 'x', 'b', 60_000, T0)).toBe(true);
  });

  it('waits until the lease is released, or gives up', async () => {
    await tryAcquireLease(database.db, 'x', 'a', 60_000, T0);
    expect(await waitForLease(database.db, 'x', 'b', 60_000, () => T0, { waitMs: 150, pollMs: 20 })).toBe('timed_out');
    setTimeout(() => void releaseLease(database.db, 'x', 'a'), 100);
    expect(await waitForLease(database.db, 'x', 'b', 60_000, () => T0, { waitMs: 5000, pollMs: 20 })).toBe('acquired');
    expect(await waitForLease(database.db, 'x', 'c', 60_000, () => T0, { waitMs: 5000, pollMs: 20, stop: async () => true })).toBe('stopped');
  });
});
