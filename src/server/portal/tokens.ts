// Portal secrets derived from the session token: CSRF tokens, the attempt-to-session binding and signed flash messages.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keyed by the session token, which only the browser holding the session knows. */
function mac(sessionToken: string, purpose: string, value: string): string {
  return createHmac('sha256', sessionToken).update(`${purpose}\n${value}`).digest('base64url');
}

export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function csrfTokenFor(sessionToken: string): string {
  return mac(sessionToken, 'csrf', '');
}

/** The pre-sign-in CSRF token (double submit: a cookie and the same value in the form). */
export function newSignInCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookie value binding a reconnect attempt to the session that started it. */
export function attemptBinding(sessionToken: string, attemptId: string): string {
  return `${attemptId}.${mac(sessionToken, 'attempt', attemptId)}`;
}

/** The attempt id when the binding was made in this session; undefined otherwise. */
export function boundAttemptId(sessionToken: string, binding: string | undefined): string | undefined {
  const dot = binding?.lastIndexOf('.') ?? -1;
  if (!binding || dot <= 0) return undefined;
  const attemptId = binding.slice(0, dot);
  return sameSecret(binding, attemptBinding(sessionToken, attemptId)) ? attemptId : undefined;
}

export interface FlashMessage {
  kind: 'success' | 'error';
  title: string;
  lines: string[];
}

export function sealFlash(sessionToken: string, flash: FlashMessage): string {
  const payload = Buffer.from(JSON.stringify(flash), 'utf8').toString('base64url');
  return `${payload}.${mac(sessionToken, 'flash', payload)}`;
}

export function openFlash(sessionToken: string, sealed: string | undefined): FlashMessage | undefined {
  const dot = sealed?.lastIndexOf('.') ?? -1;
  if (!sealed || dot <= 0) return undefined;
  const payload = sealed.slice(0, dot);
  if (!sameSecret(sealed.slice(dot + 1), mac(sessionToken, 'flash', payload))) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as FlashMessage;
    return parsed && typeof parsed.title === 'string' && Array.isArray(parsed.lines) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
