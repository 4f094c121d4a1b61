// Request bodies Procore's OAuth endpoints take: form-urlencoded (docs), JSON (SDKs), multipart (curl -F in docs).
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

export function registerBodyParsers(app: FastifyInstance): void {
  app.register(formbody);
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseMultipartFields(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });
}

/** Text fields of a multipart/form-data body; file parts are ignored (no Procore call here takes one). */
export function parseMultipartFields(body: Buffer, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error('multipart/form-data body without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const fields: Record<string, string> = {};
  for (const part of body.toString('utf8').split(delimiter).slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('malformed multipart/form-data part');
    const headers = part.slice(0, headerEnd);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers);
    if (!name || /\bfilename=/i.test(headers)) continue;
    fields[name[1]] = part.slice(headerEnd + 4).replace(/\r\n$/, '');
  }
  return fields;
}

export type FieldResult = { ok: true; fields: Record<string, string | undefined> } | { ok: false; message: string };

/**
 * The named string fields of a form or JSON body. A repeated form field or a non-string JSON value is
 * refused rather than guessed at; an empty string counts as absent, as Doorkeeper treats it.
 */
export function readFields(body: unknown, names: readonly string[]): FieldResult {
  const source = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const fields: Record<string, string | undefined> = {};
  for (const name of names) {
    const value = source[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return { ok: false, message: `The parameter ${name} must be given once, as a string.` };
    fields[name] = value;
  }
  return { ok: true, fields };
}

/** Client credentials from HTTP Basic (RFC 6749 2.3.1), which takes precedence over body fields. */
export function basicCredentials(authorization: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 2.3.1 form-encodes both parts before joining them.
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  return clientId === undefined || clientSecret === undefined ? undefined : { clientId, clientSecret };
}

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? match[1] : undefined;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
