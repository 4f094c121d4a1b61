// Failures of directory operations an administrator can fix (unknown user, taken name…), keyed by a stable code.

export type DirectoryErrorCode =
  | 'invalid_username'
  | 'invalid_display_name'
  | 'invalid_password'
  | 'user_exists'
  | 'user_not_found'
  | 'unknown_projects'
  | 'invalid_token_name'
  | 'token_name_taken'
  | 'invalid_lifetime'
  | 'token_not_found';

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}
