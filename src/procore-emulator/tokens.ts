// Token pairs and authorization codes: minting in Procore's formats, lookup, rotation bookkeeping, revocation.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ProcoreId } from './ids.js';

/**
 * `rotated`: its refresh token was used, so the pair is dead and a second use is a reuse.
 * `revoked` and `expired` are what the control endpoints (and reuse detection) leave behind.
 */
export type PairStatus = 'live' | 'rotated' | 'revoked' | 'expired';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  accountId: ProcoreId;
  clientId: string;
  redirectUri: string;
  /** Every pair descending from one sign-in shares the chain; reuse revokes the chain's live pair. */
  chainId: string;
  createdAt: number;
  /** When the access token stops working; the refresh token lasts until used, as at Procore. */
  accessExpiresAt: number;
  expiresInSeconds: number;
  status: PairStatus;
}

export interface AuthorizationCode {
  code: string;
  accountId: ProcoreId;
  clientId: string;
  redirectUri: string;
  createdAt: number;
  used: boolean;
  /** The pair the code was redeemed for: revoked if the code is presented again (RFC 6749 4.1.2). */
  redeemedFor?: TokenPair;
}

/** Procore's token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  created_at: number;
}

export function tokenResponse(pair: TokenPair): TokenResponse {
  return {
    access_token: pair.accessToken,
    token_type: 'bearer',
    expires_in: pair.expiresInSeconds,
    refresh_token: pair.refreshToken,
    created_at: Math.floor(pair.createdAt / 1000),
  };
}

export class TokenStore {
  private readonly byAccess = new Map<string, TokenPair>();
  private readonly byRefresh = new Map<string, TokenPair>();
  private readonly codes = new Map<string, AuthorizationCode>();
  // Per instance, so tokens of one emulator run look foreign to any other.
  private readonly signingKey = randomBytes(32);

  mint(input: {
    accountId: ProcoreId;
    clientId: string;
    redirectUri: string;
    ttlSeconds: number;
    now: number;
    chainId?: string;
  }): TokenPair {
    const pair: TokenPair = {
      accessToken: this.jwtShapedToken(input.accountId, input.clientId, input.now, input.ttlSeconds),
      refreshToken: randomBytes(32).toString('hex'),
      accountId: input.accountId,
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      chainId: input.chainId ?? randomUUID(),
      createdAt: input.now,
      accessExpiresAt: input.now + input.ttlSeconds * 1000,
      expiresInSeconds: input.ttlSeconds,
      status: 'live',
    };
    this.byAccess.set(pair.accessToken, pair);
    this.byRefresh.set(pair.refreshToken, pair);
    return pair;
  }

  findByAccessToken(token: string): TokenPair | undefined {
    return this.byAccess.get(token);
  }

  findByRefreshToken(token: string): TokenPair | undefined {
    return this.byRefresh.get(token);
  }

  /** The pair whose access token may call the API now. */
  usableAccessPair(token: string, now: number): TokenPair | undefined {
    const pair = this.byAccess.get(token);
    return pair && pair.status === 'live' && now < pair.accessExpiresAt ? pair : undefined;
  }

  /** Live pairs (their access token may have run out; their refresh token still works). */
  livePairs(accountId?: ProcoreId): TokenPair[] {
    return [...this.byAccess.values()].filter((p) => p.status === 'live' && (accountId === undefined || p.accountId === accountId));
  }

  /** Ends every live pair of the account; returns how many. */
  endAccountPairs(accountId: ProcoreId, status: 'revoked' | 'expired'): number {
    const pairs = this.livePairs(accountId);
    for (const pair of pairs) pair.status = status;
    return pairs.length;
  }

  revokeChain(chainId: string): void {
    for (const pair of this.byAccess.values()) if (pair.chainId === chainId && pair.status === 'live') pair.status = 'revoked';
  }

  issueCode(input: { accountId: ProcoreId; clientId: string; redirectUri: string; now: number }): AuthorizationCode {
    // 64 hex characters, like Procore's codes.
    const code: AuthorizationCode = {
      code: randomBytes(32).toString('hex'),
      accountId: input.accountId,
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      createdAt: input.now,
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  findCode(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }

  private jwtShapedToken(accountId: ProcoreId, clientId: string, now: number, ttlSeconds: number): string {
    const issuedAt = Math.floor(now / 1000);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({ iss: 'procore-emulator', sub: String(accountId), aud: clientId, iat: issuedAt, exp: issuedAt + ttlSeconds, jti: randomUUID() }),
    );
    const signature = createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
