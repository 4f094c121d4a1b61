import { describe, expect, it } from 'vitest';
import { deriveStatus, parseStatusFilter, REASON_CODES, REASON_TEXTS } from '../../src/core/index.js';

describe('project status derivation', () => {
  it.each([
    [['ok'], null, 'connected', null],
    [['token_revoked', 'ok'], null, 'connected', null],
    [['token_revoked', 'token_expired'], null, 'connection_lost', 'token_revoked'],
    [['ok'], 'procore_unreachable', 'degraded', 'procore_unreachable'],
    [['token_expired'], 'rate_limited', 'connection_lost', 'token_expired'],
    [[], null, 'connection_lost', 'no_credential'],
  ] as const)('results %j with transient %s give %s / %s', (results, transient, status, reason) => {
    expect(deriveStatus(results, transient)).toEqual({ status, reason });
  });

  it('reads lost as connection_lost and refuses unknown filters', () => {
    expect(parseStatusFilter('lost')).toBe('connection_lost');
    expect(parseStatusFilter('degraded')).toBe('degraded');
    expect(parseStatusFilter('broken')).toBeUndefined();
  });

  it('has a summary, a description and remedy steps for every reason code', () => {
    for (const code of REASON_CODES) {
      expect(REASON_TEXTS[code].summary.length).toBeGreaterThan(10);
      expect(REASON_TEXTS[code].description.length).toBeGreaterThan(20);
      expect(REASON_TEXTS[code].remedy.length).toBeGreaterThan(0);
    }
  });
});
