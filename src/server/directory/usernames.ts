// Usernames: stored as given, matched case-insensitively, never with a Windows or UPN domain part.

/** Letters, digits, dot, underscore and hyphen; starts with a letter or digit; at most 64 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const USERNAME_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

/** The key usernames are stored and matched under. ASCII lower-casing only, so no locale changes the key. */
export function usernameKey(username: string): string {
  return username.trim().replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

export interface DomainPart {
  /** The username without its domain ("jsmith"), possibly empty when nothing but a domain was typed. */
  bare: string;
  domain: string;
}

/** `DEMO\jsmith` and `jsmith@demo` name a domain; undefined when the username has none. */
export function splitDomain(username: string): DomainPart | undefined {
  const trimmed = username.trim();
  const backslash = trimmed.lastIndexOf('\\');
  if (backslash >= 0) return { domain: trimmed.slice(0, backslash), bare: trimmed.slice(backslash + 1) };
  const at = trimmed.indexOf('@');
  if (at >= 0) return { bare: trimmed.slice(0, at), domain: trimmed.slice(at + 1) };
  return undefined;
}

/** Why `username` cannot be a new NCS username, or undefined when it can. */
export function usernameProblem(username: string): string | undefined {
  const domain = splitDomain(username);
  if (domain) {
    const suggestion = USERNAME_PATTERN.test(domain.bare) ? ` (use "${domain.bare}")` : '';
    return `"${username}" includes a domain${suggestion}: NCS usernames are the domain username without the domain; allowed are ${USERNAME_RULE}.`;
  }
  if (!USERNAME_PATTERN.test(username)) return `"${username}" is not a valid username: allowed are ${USERNAME_RULE}.`;
  return undefined;
}
