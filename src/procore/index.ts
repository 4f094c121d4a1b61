// The Procore OAuth and REST client (SPEC 2, 4.3, 4.4, 6.5): the only module of ours that talks to Procore.
export { createProcoreClient, DEFAULT_TIMEOUT_MS, type ProcoreClient } from './client.js';
export { parseTokenResponse, parseTokenInfo } from './oauth.js';
export {
  ProcoreError,
  PROCORE_ERROR_KINDS,
  isProcoreError,
  isTransient,
  isRetryable,
  type ProcoreErrorKind,
} from './errors.js';
export {
  classifyRefreshFailure,
  classifyApiFailure,
  classifyInvalidGrantDescription,
  type RefreshFailureClass,
  type ApiFailureClass,
} from './classify.js';
export { RETRY_DELAYS_MS, MAX_RETRY_AFTER_SECONDS } from './retry.js';
export { isLoopbackHost, proxyForUrl } from './proxy.js';
export { toIdString } from './ids.js';
export { MAX_LIST_PAGES } from './rest.js';
export type * from './types.js';
