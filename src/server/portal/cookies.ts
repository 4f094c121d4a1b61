// Cookie parsing and serialising for the portal (no cookie plugin is installed): only what the portal needs.

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
}

/** Cookies from a `Cookie` header; the first of duplicate names wins (the most specific path comes first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

const COOKIE_VALUE = /^[A-Za-z0-9._~-]*$/;

/** `HttpOnly; SameSite=Lax; Path=/connectorweb`, plus `Secure` over https (SPEC 7). Values are base64url-safe. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!COOKIE_VALUE.test(value)) throw new Error(`cookie ${name} has a value outside the safe alphabet`);
  const parts = [`${name}=${value}`, 'Path=/connectorweb', 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export function expireCookie(name: string, options: { secure: boolean }): string {
  return serializeCookie(name, '', { maxAgeSeconds: 0, secure: options.secure });
}
