// The `--verbose` HTTP trace: request and response lines on stderr with every secret redacted.
import { redactText, SECRET_FIELD_NAMES } from '../../core/redact.js';
import type { TextSink } from '../io.js';

const SECRET_KEYS = new Set<string>([...SECRET_FIELD_NAMES, 'expectedToken', 'sessionToken', 'id_token'].map((name) => name.toLowerCase()));
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const MAX_BODY_CHARS = 500;

/** Objects whose `code` is an error or reason code (vocabulary), not an OAuth authorization code. */
const CODE_IS_VOCABULARY = new Set(['error', 'lastError', 'warnings']);

function redactValue(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, parentKey));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
        const secret = SECRET_KEYS.has(key.toLowerCase()) && !(key === 'code' && CODE_IS_VOCABULARY.has(parentKey));
        return [key, secret && inner !== null && typeof inner !== 'boolean' ? '[REDACTED]' : redactValue(inner, key)];
      }),
    );
  }
  return typeof value === 'string' ? redactText(value) : value;
}

/** A body for the trace: JSON with secret fields replaced, any other text through redactText, long ones cut. */
export function redactBody(body: string): string {
  let text: string;
  try {
    text = JSON.stringify(redactValue(JSON.parse(body)));
  } catch {
    text = redactText(body);
  }
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)` : text;
}

export function redactHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return redactText(value);
  const scheme = /^(\w+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} [REDACTED]` : '[REDACTED]';
}

export interface Tracer {
  request(method: string, url: string, headers: Record<string, string>, body?: string, proxy?: string): void;
  response(status: number, statusText: string, elapsedMs: number, headers: Record<string, string | string[] | undefined>, body: string): void;
  failure(message: string, elapsedMs: number): void;
}

export function createTracer(sink: TextSink): Tracer {
  const line = (text: string) => sink.write(`${text}\n`);
  return {
    request(method, url, headers, body, proxy) {
      line(`> ${method} ${redactText(url)}${proxy ? ` (through proxy ${redactText(proxy.replace(/\/\/[^@/]*@/, '//[REDACTED]@'))})` : ''}`);
      for (const [name, value] of Object.entries(headers)) line(`> ${name}: ${redactHeader(name, value)}`);
      if (body !== undefined) line(`> ${redactBody(body)}`);
    },
    response(status, statusText, elapsedMs, headers, body) {
      line(`< ${status} ${statusText} (${elapsedMs} ms)`);
      for (const name of ['content-type', 'retry-after', 'www-authenticate', 'set-cookie']) {
        const value = headers[name];
        if (value !== undefined) line(`< ${name}: ${redactHeader(name, Array.isArray(value) ? value.join(', ') : value)}`);
      }
      if (body) line(`< ${redactBody(body)}`);
    },
    failure(message, elapsedMs) {
      line(`! ${redactText(message)} (${elapsedMs} ms)`);
    },
  };
}
