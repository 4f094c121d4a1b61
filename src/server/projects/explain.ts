// The detail's summary, description and remedy steps: the reason's shared texts, naming the account that must act.
import { REASON_TEXTS, REASONS_NEEDING_SIGN_IN, type ReasonCode } from '../../core/index.js';
import type { DerivedState } from './derive.js';

export interface Explanation {
  summary: string | null;
  description: string | null;
  remedy: string[];
}

function stepFor(reason: ReasonCode, login: string): string {
  if (REASONS_NEEDING_SIGN_IN.includes(reason)) return `Sign in to Procore as ${login}.`;
  if (reason === 'permission_denied') return `In Procore, give ${login} Standard or Admin permission on RFIs and Submittals of this project, then run a check.`;
  return `Run a check of the project to verify ${login}.`;
}

function loginList(logins: string[]): string {
  return logins.length <= 1 ? logins.join('') : `${logins.slice(0, -1).join(', ')} or ${logins[logins.length - 1]}`;
}

export function explainProject(state: DerivedState): Explanation {
  const { status, reason, accountStates, warnings } = state;

  if (status === 'connection_lost' && reason !== null) {
    const text = REASON_TEXTS[reason];
    const first = accountStates[0]?.assignment;
    if (!first) {
      return {
        summary: 'The project has no ball-in-court account',
        description: 'No ball-in-court user is assigned to this project, so NCS has no Procore account to sync it with.',
        remedy: ['Assign a ball-in-court user: `ncs-server projects set-bic NUMBER USER:LOGIN`.'],
      };
    }
    const remedy = [...text.remedy, stepFor(reason, first.procoreLogin)];
    // Any BIC account that signs in restores the project, so the others are named as alternatives.
    const others = accountStates.slice(1).filter((s) => REASONS_NEEDING_SIGN_IN.includes(s.result as ReasonCode));
    if (others.length > 0) {
      remedy.push(`Signing in as ${loginList(others.map((s) => s.assignment.procoreLogin))} (the failover ${others.length === 1 ? 'account' : 'accounts'}) also restores the project.`);
    }
    return {
      summary: text.summary,
      description: `${text.description} The account that must act: ${first.procoreLogin} (ball-in-court user ${first.username}).`,
      remedy,
    };
  }

  if (status === 'degraded' && reason !== null) {
    const text = REASON_TEXTS[reason];
    return {
      summary: text.summary,
      description: text.description + warningSentence(warnings.length),
      remedy: [...text.remedy, ...warnings.map((w) => stepFor(w.code, w.account))],
    };
  }

  if (warnings.length === 0) return { summary: null, description: null, remedy: [] };
  return {
    summary: `Connected, but ${warnings.length === 1 ? 'a ball-in-court account needs' : `${warnings.length} ball-in-court accounts need`} attention`,
    description:
      'The project is synced, but NCS could not fail over to these ball-in-court accounts if it had to: ' +
      warnings.map((w) => `${w.account} (${REASON_TEXTS[w.code].summary.toLowerCase()})`).join('; ') +
      '.',
    remedy: warnings.map((w) => stepFor(w.code, w.account)),
  };
}

function warningSentence(count: number): string {
  if (count === 0) return '';
  return ` Besides, ${count === 1 ? 'one ball-in-court account needs' : `${count} ball-in-court accounts need`} attention (see warnings).`;
}
