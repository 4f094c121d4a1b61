// Payload shapes of the NCS HTTP API (SPEC 4.2), shared by the server, the CLI and the portal.
import type { AccountResult, ProjectStatus, ReasonCode, TransientReason } from './status.js';

export interface ApiUser {
  username: string;
  displayName: string;
  isGlobalAdmin: boolean;
}

export interface SessionCreated {
  token: string;
  expiresAt: string;
  user: ApiUser;
}

export interface MeResponse {
  user: ApiUser;
  roles: { globalAdmin: boolean; projectAdminOf: string[]; bicOf: string[] };
}

export interface CliOAuthConfig {
  redirectUris: string[];
}

export interface BallInCourtEntry {
  username: string;
  displayName: string | null;
  procoreLogin: string;
  procoreUserId: string | null;
}

export interface AccountNeedingAction {
  login: string;
  procoreUserId: string | null;
  reason: ReasonCode;
}

export interface ProjectWarning {
  code: ReasonCode;
  account: string;
  message: string;
}

export interface ProjectItem {
  id: string;
  number: string;
  name: string;
  status: ProjectStatus;
  reason: ReasonCode | null;
  accounts: AccountNeedingAction[];
  ballInCourt: BallInCourtEntry[];
  procore: { companyId: string; projectId: string };
  lastSyncAt: string | null;
}

export interface ProjectList {
  items: ProjectItem[];
  nextCursor: string | null;
}

export interface ProjectSummaryCounts {
  connected: number;
  lost: number;
  degraded: number;
}

export interface ProjectDetail extends ProjectItem {
  summary: string | null;
  description: string | null;
  remedy: string[];
  since: string | null;
  warnings: ProjectWarning[];
  sync: {
    lastSyncAt: string | null;
    lastError: { code: string; message: string; at: string } | null;
    rfis: number;
    submittals: number;
  };
}

export type CredentialCheck = 'valid' | 'refreshed' | 'missing' | 'dead';

export interface AccountCheck {
  account: string;
  procoreUserId: string | null;
  credential: CredentialCheck;
  accountMatches: boolean | null;
  projectReachable: boolean | null;
  toolsReachable: boolean | null;
  reason: AccountResult | TransientReason;
}

export interface CheckResponse {
  checks: AccountCheck[];
}

export interface ReconnectRequest {
  redirectUri?: string;
  oob?: boolean;
}

export interface ReconnectStarted {
  attemptId: string;
  authorizeUrl: string;
  redirectUri: string;
  state: string;
  expectedAccounts: string[];
  expiresAt: string;
}

/** Procore's token response, snake_case as Procore returns it. */
export interface ProcoreTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  created_at: number;
}

export type ProcoreTokenIntake =
  | { attemptId: string; state: string; code: string }
  | { token: ProcoreTokenResponse; redirectUri?: string };

export interface ProcoreTokenAccepted {
  project: ProjectDetail;
  restored: ProjectItem[];
  restoredOther: number;
  account: { id: string; login: string; name: string };
}

export interface SyncRequested {
  requestedAt: string;
}

export const OOB_REDIRECT_URI = 'urn:ietf:wg:oauth:2.0:oob';
