// The local directory: users and their roles, passwords, sign-in with throttling, sessions and API tokens.
export { DirectoryError, type DirectoryErrorCode } from './errors.js';
export { usernameKey, splitDomain, usernameProblem, USERNAME_PATTERN, USERNAME_RULE } from './usernames.js';
export { hashPassword, verifyPassword, needsRehash, MIN_ADMIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './passwords.js';
export {
  createUser,
  findUser,
  requireUser,
  renameUser,
  setPassword,
  removeUser,
  listUsers,
  setGlobalAdmin,
  grantProjectAdmin,
  revokeProjectAdmin,
  type UserRecord,
  type UserListing,
  type NewUser,
  type RemovedUser,
} from './users.js';
export { resolveProjectNumbers, type ResolvedProject } from './project-numbers.js';
export { createSession, revokeSession, SESSION_PREFIX, type CreatedSession } from './sessions.js';
export {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  parseTokenLifetime,
  API_TOKEN_PREFIX,
  DEFAULT_API_TOKEN_LIFETIME_MS,
  type CreatedApiToken,
  type ApiTokenListing,
} from './api-tokens.js';
export { signIn, signOut, type SignInInput } from './sign-in.js';
export { rolesOf } from './roles.js';
export { SIGN_IN_WINDOW_MS, MAX_FAILURES_PER_USERNAME, MAX_FAILURES_PER_ADDRESS } from './throttle.js';
