// Configuration and result shapes of the Procore client, camelCase with ids as strings.

export interface ProcoreLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
}

export interface ProcoreClientConfig {
  /** Sign-in host, e.g. https://login.procore.com (configuration, never a constant). */
  loginUrl: string;
  /** REST host, e.g. https://api.procore.com. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per HTTP request, not per operation with retries. Default 20000 (SPEC 4.4). */
  timeoutMs?: number;
  /** Injected so tests record the retry waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; used for X-Rate-Limit-Reset and HTTP-date Retry-After. */
  now?: () => number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Receives one redacted trace line per HTTP request (method, URL, status, duration, attempt). */
  logger?: ProcoreLogger;
}

export interface ProcoreTokenSet {
  accessToken: string;
  refreshToken: string;
  /** createdAt + expires_in, as Procore answered. */
  expiresAt: Date;
  expiresInSeconds: number;
  createdAt: Date;
}

export interface ProcoreTokenInfo {
  resourceOwnerId: string;
  /** The client id the token was issued to; null when Procore does not say. */
  applicationUid: string | null;
  expiresInSeconds: number;
  createdAt: Date;
}

export interface ProcoreMe {
  id: string;
  login: string;
  name: string;
}

export interface ProcoreCompany {
  id: string;
  name: string;
  isActive: boolean | null;
}

export interface ProcoreProject {
  id: string;
  name: string;
  /** From the answer's `company.id` when present, else the company asked about. */
  companyId: string;
  projectNumber: string | null;
  active: boolean | null;
}

export type ProcoreTool = 'rfis' | 'submittals';

export interface ListItemsOptions {
  /** Both bounds inclusive, sent as `filters[updated_at]=<from ISO>...<to ISO>`. */
  updatedFrom?: Date;
  updatedTo?: Date;
  /** 1-based. Default 1. */
  page?: number;
  /** Default 100. */
  perPage?: number;
}

export interface ProcoreItem {
  id: string;
  updatedAt: string;
  /** The item as Procore sent it (numeric ids left as they are). */
  raw: Record<string, unknown>;
}

export interface ProcoreItemPage {
  items: ProcoreItem[];
  nextPage: number | null;
  /** From the `Total` header, when sent. */
  total: number | null;
}
