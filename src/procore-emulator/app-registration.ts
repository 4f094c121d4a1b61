// The OAuth app registered with the emulator (PUT /__emulator/app): its shape and body validation.
import { OOB_REDIRECT_URI } from '../core/index.js';
import { BadRequestError, asArray, asObject, onlyKeys, requiredString } from './validation.js';

export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  /** Matched exactly, trailing slash included, as Procore does. */
  redirectUris: string[];
}

export function parseAppBody(input: unknown): RegisteredApp {
  const body = asObject(input, 'body');
  onlyKeys(body, ['clientId', 'clientSecret', 'redirectUris'], 'body');
  const redirectUris = asArray(body.redirectUris, 'body.redirectUris').map((uri, i) => {
    if (typeof uri !== 'string' || !isRedirectUri(uri)) {
      throw new BadRequestError(`body.redirectUris[${i}] must be an absolute URL without a fragment, or ${OOB_REDIRECT_URI}`);
    }
    return uri;
  });
  if (redirectUris.length === 0) throw new BadRequestError('body.redirectUris must name at least one redirect URI');
  return {
    clientId: requiredString(body, 'clientId', 'body'),
    clientSecret: requiredString(body, 'clientSecret', 'body'),
    redirectUris,
  };
}

function isRedirectUri(uri: string): boolean {
  if (uri === OOB_REDIRECT_URI) return true;
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '' && !uri.includes('#');
  } catch {
    return false;
  }
}
