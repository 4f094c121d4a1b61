// The NCS HTTP API (SPEC 4.2) as typed methods; every failure leaves as a CliError with the right exit code.
import type {
  CheckResponse,
  CliOAuthConfig,
  MeResponse,
  ProcoreTokenAccepted,
  ProcoreTokenIntake,
  ProjectDetail,
  ProjectItem,
  ProjectList,
  ProjectStatus,
  ProjectSummaryCounts,
  ReconnectRequest,
  ReconnectStarted,
  SessionCreated,
  SyncRequested,
} from '../../core/index.js';
import { CliError } from '../errors.js';
import { errorFromApiResponse, type ErrorContext } from './errors.js';
import type { HttpMethod, HttpRequest, HttpTransport } from './http.js';

/** Where the bearer token came from: shown by `whoami`, and it changes the hint of a 401. */
export type TokenSource = 'env' | 'session' | 'none';

export interface ListProjectsQuery {
  status?: ProjectStatus;
  q?: string;
  limit?: number;
  cursor?: string;
}

/** The largest page the API serves; `listAllProjects` asks for it to keep round trips few. */
export const MAX_PAGE_SIZE = 200;
/** The server's checks call Procore per account; they get longer than an ordinary request. */
const CHECK_TIMEOUT_MS = 120_000;

export interface NcsApiClientOptions {
  origin: string;
  transport: HttpTransport;
  token?: string;
  tokenSource: TokenSource;
}

export class NcsApiClient {
  readonly origin: string;
  readonly tokenSource: TokenSource;
  readonly #transport: HttpTransport;
  readonly #token?: string;

  constructor(options: NcsApiClientOptions) {
    this.origin = options.origin;
    this.tokenSource = options.tokenSource;
    this.#transport = options.transport;
    this.#token = options.token;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** `POST /session`: signs in; needs no token. */
  createSession(username: string, password: string): Promise<SessionCreated> {
    return this.#call('POST', '/api/v1/session', { json: { username, password }, operation: 'createSession', anonymous: true });
  }

  /** `DELETE /session`: revokes the bearer token (a session, never an API token). */
  async deleteSession(): Promise<void> {
    await this.#call<unknown>('DELETE', '/api/v1/session', {});
  }

  me(): Promise<MeResponse> {
    return this.#call('GET', '/api/v1/me', {});
  }

  cliOAuthConfig(): Promise<CliOAuthConfig> {
    return this.#call('GET', '/api/v1/oauth/cli', {});
  }

  listProjects(query: ListProjectsQuery = {}): Promise<ProjectList> {
    return this.#call('GET', '/api/v1/projects', { searchParams: { ...query } });
  }

  /** Every page of `GET /projects`, following `nextCursor`. */
  async listAllProjects(query: Omit<ListProjectsQuery, 'cursor' | 'limit'> = {}): Promise<ProjectItem[]> {
    const items: ProjectItem[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.listProjects({ ...query, limit: MAX_PAGE_SIZE, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      if (cursor !== undefined) {
        if (seen.has(cursor)) throw new CliError('unexpected_response', { message: 'The NCS server returned the same page cursor twice.' });
        seen.add(cursor);
      }
    } while (cursor !== undefined);
    return items;
  }

  projectSummary(): Promise<ProjectSummaryCounts> {
    return this.#call('GET', '/api/v1/projects/summary', {});
  }

  /** `ref` is the NCS id or the project number. */
  getProject(ref: string): Promise<ProjectDetail> {
    return this.#call('GET', `/api/v1/projects/${encodeURIComponent(ref)}`, {});
  }

  checkProject(ref: string): Promise<CheckResponse> {
    return this.#call('POST', `/api/v1/projects/${encodeURIComponent(ref)}/check`, { json: {}, timeoutMs: CHECK_TIMEOUT_MS });
  }

  startReconnect(ref: string, request: ReconnectRequest): Promise<ReconnectStarted> {
    return this.#call('POST', `/api/v1/projects/${encodeURIComponent(ref)}/reconnect`, { json: request });
  }

  /** Completes a reconnect; a 409 or 422 (attempt invalid, wrong account, code refused) exits 6. */
  pushProcoreToken(ref: string, intake: ProcoreTokenIntake): Promise<ProcoreTokenAccepted> {
    return this.#call('POST', `/api/v1/projects/${encodeURIComponent(ref)}/procore-token`, {
      json: intake,
      operation: 'procoreToken',
      timeoutMs: CHECK_TIMEOUT_MS,
    });
  }

  requestSync(ref: string): Promise<SyncRequested> {
    return this.#call('POST', `/api/v1/projects/${encodeURIComponent(ref)}/sync`, { json: {} });
  }

  close(): void {
    this.#transport.close();
  }

  async #call<T>(
    method: HttpMethod,
    path: string,
    options: Pick<HttpRequest, 'json' | 'searchParams' | 'timeoutMs'> & { operation?: ErrorContext['operation']; anonymous?: boolean },
  ): Promise<T> {
    if (!options.anonymous && this.#token === undefined) {
      throw new CliError('not_signed_in', { hint: `Run \`ncs login --server ${this.origin}\`, or set NCS_TOKEN to an API token.` });
    }
    const response = await this.#transport.send({
      method,
      path,
      json: options.json,
      searchParams: options.searchParams,
      timeoutMs: options.timeoutMs,
      token: options.anonymous ? undefined : this.#token,
    });
    if (response.status >= 200 && response.status < 300) {
      if (response.status === 204 || response.body === '') return undefined as T;
      try {
        return JSON.parse(response.body) as T;
      } catch (err) {
        throw new CliError('unexpected_response', { message: `${this.origin} answered ${method} ${path} with something that is not JSON.`, cause: err });
      }
    }
    throw errorFromApiResponse(response, {
      origin: this.origin,
      operation: options.operation ?? 'other',
      tokenFromEnv: this.tokenSource === 'env',
    });
  }
}
