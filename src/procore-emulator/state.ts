// Everything the emulator holds in memory: world, tokens, sign-in sessions, settings, outage, counters.
import { randomBytes } from 'node:crypto';
import { parseAppBody, type RegisteredApp } from './app-registration.js';
import { DEMO_APP } from './demo.js';
import { RateLimiter } from './rate-limit.js';
import { parseSeed, type EmulatorSeed, type NormalizedSeed } from './seed.js';
import { defaultSettings, noOutage, type EmulatorSettings, type OutageSettings } from './settings.js';
import { TokenStore } from './tokens.js';
import { World } from './world.js';
import type { ProcoreId } from './ids.js';

export interface EmulatorStats {
  /** A rotated-away refresh token presented again; a correct client keeps this at 0. */
  refreshTokenReuse: number;
  /** POST /oauth/token calls received (outage and refusals included). */
  tokenRequests: number;
  /** /rest/ calls received (outage, 401 and 429 included). */
  apiRequests: number;
}

export interface EmulatorStateOptions {
  /** Validated here; an invalid seed throws BadRequestError. Default: an empty world. */
  seed?: EmulatorSeed;
  /** The registered OAuth app; default DEMO_APP. */
  app?: RegisteredApp;
  /** Epoch milliseconds; tests inject a clock they move. Default Date.now. */
  now?: () => number;
}

interface SignInSession {
  accountId: ProcoreId;
  expiresAt: number;
}

/** Sign-in cookies last a working day unless signed out. */
const SIGN_IN_SESSION_MS = 12 * 3600 * 1000;

export class EmulatorState {
  readonly now: () => number;
  app: RegisteredApp;
  settings: EmulatorSettings = defaultSettings();
  outage: OutageSettings = noOutage();
  stats: EmulatorStats = zeroStats();
  readonly rateLimiter = new RateLimiter();
  private seed: NormalizedSeed;
  world: World;
  tokens = new TokenStore();
  private sessions = new Map<string, SignInSession>();

  constructor(options: EmulatorStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.app = parseAppBody(options.app ?? DEMO_APP);
    this.seed = parseSeed(options.seed ?? {});
    this.world = new World(this.seed, this.now());
  }

  /** Replaces the world and makes it what reset returns to; tokens, codes and sign-ins go with the old world. */
  loadSeed(input: unknown): NormalizedSeed {
    const seed = parseSeed(input);
    this.seed = seed;
    this.world = new World(seed, this.now());
    this.forgetGrants();
    return seed;
  }

  /** Back to the seed: tokens gone, settings and outage default, counters zero. The registered app stays. */
  reset(): void {
    this.world = new World(this.seed, this.now());
    this.forgetGrants();
    this.settings = defaultSettings();
    this.outage = noOutage();
    this.stats = zeroStats();
  }

  setApp(app: RegisteredApp): void {
    this.app = parseAppBody(app);
  }

  startSession(accountId: ProcoreId): string {
    const id = randomBytes(32).toString('hex');
    this.sessions.set(id, { accountId, expiresAt: this.now() + SIGN_IN_SESSION_MS });
    return id;
  }

  sessionAccount(sessionId: string | undefined): ProcoreId | undefined {
    if (sessionId === undefined) return undefined;
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    if (this.now() >= session.expiresAt || !this.world.accounts.has(session.accountId)) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session.accountId;
  }

  endSession(sessionId: string | undefined): void {
    if (sessionId !== undefined) this.sessions.delete(sessionId);
  }

  private forgetGrants(): void {
    this.tokens = new TokenStore();
    this.sessions = new Map();
    this.rateLimiter.clear();
  }
}

function zeroStats(): EmulatorStats {
  return { refreshTokenReuse: 0, tokenRequests: 0, apiRequests: 0 };
}
