// Property-based checks (fast-check) of the pieces every command leans on: wrapping, the table, redaction, addresses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactBody } from '../../src/cli/api/trace.js';
import { stripDomain } from '../../src/cli/commands/auth/login.js';
import { NO_COLORS } from '../../src/cli/output/colors.js';
import { renderProjectTable } from '../../src/cli/output/projects.js';
import { wrapText } from '../../src/cli/output/text.js';
import { parseServerUrl } from '../../src/cli/server-url.js';
import { PROJECT_STATUSES, REASON_CODES, type ProjectItem } from '../../src/core/index.js';

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_@/()&'.split('')), maxLength: 120 });

const projectItem: fc.Arbitrary<ProjectItem> = fc.record({
  id: fc.constant('prj_aaaaaaaaaaaaaaaaaaaa'),
  number: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/),
  name: printable,
  status: fc.constantFrom(...PROJECT_STATUSES),
  reason: fc.option(fc.constantFrom(...REASON_CODES), { nil: null }),
  accounts: fc.array(fc.record({ login: printable, procoreUserId: fc.constant(null), reason: fc.constantFrom(...REASON_CODES) }), { maxLength: 3 }),
  ballInCourt: fc.array(
    fc.record({ username: printable, displayName: fc.option(printable, { nil: null }), procoreLogin: printable, procoreUserId: fc.constant(null) }),
    { maxLength: 3 },
  ),
  procore: fc.constant({ companyId: '1', projectId: '2' }),
  lastSyncAt: fc.option(fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), { nil: null }),
});

describe('properties', () => {
  it('wrapText never exceeds the width and loses no character', () => {
    fc.assert(
      fc.property(printable, fc.integer({ min: 1, max: 40 }), (text, width) => {
        const lines = wrapText(text, width);
        expect(lines.every((line) => line.length <= width)).toBe(true);
        expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });

  it('the projects table never exceeds its width, and keeps every status label on one line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(projectItem, { minLength: 1, maxLength: 5 }), fc.constantFrom(80, 100, 160), async (items, width) => {
        const table = await renderProjectTable(items, { width, colors: NO_COLORS, now: new Date('2025-01-31T00:00:00Z') });
        expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(width);
        for (const item of items) {
          if (item.status === 'connection_lost') expect(table).toContain('Connection Lost');
        }
        expect(table).not.toContain('…');
      }),
      { numRuns: 60 },
    );
  });

  it('redactBody never lets the value of a secret field through', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/);
    fc.assert(
      fc.property(secret, fc.constantFrom('password', 'token', 'access_token', 'refresh_token', 'state', 'code', 'attemptId', 'client_secret'), (value, key) => {
        const body = JSON.stringify({ nested: { [key]: value }, list: [{ [key]: value }] });
        expect(redactBody(body)).not.toContain(value);
      }),
    );
  });

  it('stripDomain never leaves a backslash-domain or an @-domain behind', () => {
    const part = fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/);
    fc.assert(
      fc.property(part, part, fc.boolean(), (user, domain, backslash) => {
        const result = stripDomain(backslash ? `${domain}\\${user}` : `${user}@${domain}`);
        expect(result).toEqual({ username: user, domain });
      }),
    );
  });

  it('parseServerUrl accepts http:// only for loopback unless --insecure', () => {
    const host = fc.oneof(fc.domain(), fc.ipV4());
    fc.assert(
      fc.property(host, (hostname) => {
        const loopback = /^127\./.test(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost');
        const attempt = () => parseServerUrl(`http://${hostname}`, { insecure: false });
        if (loopback) expect(attempt()).toMatch(/^http:\/\//);
        else expect(attempt).toThrow(expect.objectContaining({ code: 'insecure_server' }));
        expect(parseServerUrl(`http://${hostname}`, { insecure: true })).toMatch(/^http:\/\//);
      }),
    );
  });
});
