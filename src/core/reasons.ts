// For each reason code: the one-line summary, the full description and the remedy steps shown everywhere.
import type { ReasonCode } from './status.js';

export interface ReasonText {
  summary: string;
  description: string;
  remedy: string[];
}

export const REASON_TEXTS: Record<ReasonCode, ReasonText> = {
  migrated_from_trimble: {
    summary: 'Migrated from the Trimble connector: no Procore sign-in yet',
    description:
      'This project was migrated from the Trimble-based connector to NCS. NCS holds no Procore token for it ' +
      'yet, so it is not synced until one of its ball-in-court users signs in to Procore through NCS.',
    remedy: [
      'Sign out of Procore in your browser if you are signed in as someone else.',
      'Reconnect the project and sign in to Procore as its ball-in-court account.',
      'Other projects with the same ball-in-court account are restored by the same sign-in.',
    ],
  },
  no_credential: {
    summary: 'The ball-in-court account has never signed in to Procore through NCS',
    description:
      'NCS has no Procore token for this ball-in-court account (for example, a ball-in-court user was just ' +
      'added). The project cannot be synced with it until that account signs in.',
    remedy: [
      'Reconnect the project and sign in to Procore as its ball-in-court account.',
    ],
  },
  token_expired: {
    summary: 'The Procore token of the ball-in-court account has expired',
    description:
      'Procore no longer accepts the stored token of the ball-in-court account because it expired. ' +
      'The sync stopped for every project that uses this account.',
    remedy: [
      'Reconnect the project and sign in to Procore as its ball-in-court account.',
      'Every other project that uses this account is restored by the same sign-in.',
    ],
  },
  token_revoked: {
    summary: 'The Procore token of the ball-in-court account was invalidated',
    description:
      'Procore invalidated the stored token of the ball-in-court account: it was revoked, the password was ' +
      'changed, the NCS app was uninstalled, or a refresh token was used twice. The sync stopped for every ' +
      'project that uses this account.',
    remedy: [
      'Reconnect the project and sign in to Procore as its ball-in-court account.',
      'If it happens again, ask your Procore administrator whether the NCS app is still installed.',
    ],
  },
  account_mismatch: {
    summary: 'The Procore account signed in is not the ball-in-court account',
    description:
      'The Procore account that NCS holds a token for is not the account assigned as ball-in-court for this ' +
      'project, so NCS will not use it.',
    remedy: [
      'Sign out of Procore in your browser.',
      'Reconnect the project and sign in to Procore as its ball-in-court account, not your own.',
    ],
  },
  permission_denied: {
    summary: 'The ball-in-court account lacks access to the Procore project or its RFIs or Submittals',
    description:
      'The ball-in-court account can sign in to Procore but cannot reach this project, or its RFIs or ' +
      'Submittals tool, or the NCS app is not installed in the Procore company.',
    remedy: [
      'In Procore, add the ball-in-court account to the project with Standard or Admin permission on RFIs and Submittals.',
      'Make sure the NCS app is installed in the Procore company.',
      'Then run a check of the project; no new sign-in is needed.',
    ],
  },
  procore_unreachable: {
    summary: 'Procore cannot be reached right now',
    description:
      'NCS could not reach Procore for several sync rounds in a row (outage, network or proxy problem). ' +
      'The stored tokens are still valid; the sync resumes by itself when Procore answers again.',
    remedy: [
      'No sign-in is needed. Check the NCS server\'s network and proxy settings if it lasts.',
    ],
  },
  rate_limited: {
    summary: 'Procore is rate-limiting NCS',
    description:
      'Procore answered that NCS made too many requests and asked it to wait longer than one sync interval. ' +
      'The sync resumes by itself when the limit resets.',
    remedy: ['No sign-in is needed. The sync resumes when Procore\'s rate limit resets.'],
  },
  unknown: {
    summary: 'Not checked yet',
    description: 'NCS has not checked this ball-in-court account yet.',
    remedy: ['Run a check of the project, or wait for the next sync round.'],
  },
};

export function reasonText(code: ReasonCode): ReasonText {
  return REASON_TEXTS[code];
}

/** Reasons a person fixes by signing in to Procore again (reconnect); the others need no sign-in. */
export const REASONS_NEEDING_SIGN_IN: readonly ReasonCode[] = [
  'migrated_from_trimble',
  'no_credential',
  'token_expired',
  'token_revoked',
  'account_mismatch',
];
