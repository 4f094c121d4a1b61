// The CLI's one error type and its exit codes (SPEC 6.3): every failure carries a stable code, a message and a hint.

/** Exit codes of SPEC 6.3, by meaning. */
export const EXIT = {
  ok: 0,
  bug: 1,
  usage: 2,
  auth: 3,
  forbidden: 4,
  notFound: 5,
  refused: 6,
  unreachable: 7,
  notConnected: 8,
  tryLater: 9,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface CliErrorSpec {
  exitCode: ExitCode;
  message: string;
  hint?: string;
}

/**
 * Codes that only the CLI raises. Codes that come from the API keep the server's code (ERROR_CATALOGUE)
 * and get their exit code from the HTTP status (see `errorFromApiResponse`).
 */
export const CLI_ERRORS = {
  usage: { exitCode: EXIT.usage, message: 'The command is not complete.', hint: 'Run `ncs help` to see the commands.' },
  invalid_server_url: {
    exitCode: EXIT.usage,
    message: 'That is not a valid NCS server address.',
    hint: 'Give the server as https://host[:port], for example `ncs login --server https://ncs.example.com`.',
  },
  insecure_server: {
    exitCode: EXIT.usage,
    message: 'Refusing to talk to an NCS server over plain http:// on a host other than loopback.',
    hint: 'Use https://, or pass --insecure if you accept that passwords and tokens cross the network in clear.',
  },
  ambiguous_project: { exitCode: EXIT.usage, message: 'More than one project matches.', hint: 'Use the project number, for example `ncs projects show P-1002`.' },
  keychain_unavailable: {
    exitCode: EXIT.usage,
    message: 'NCS_CREDENTIAL_STORE=keychain, but no working OS keychain was found.',
    hint: 'Unset NCS_CREDENTIAL_STORE (or set it to `file`); on Linux, start a Secret Service such as gnome-keyring.',
  },
  credential_store_failed: { exitCode: EXIT.usage, message: 'The session token could not be stored.' },
  config_error: { exitCode: EXIT.usage, message: 'The configuration cannot be used.' },
  not_signed_in: { exitCode: EXIT.auth, message: 'You are not signed in to NCS.', hint: 'Run `ncs login --server https://ncs.example.com`.' },
  server_unreachable: {
    exitCode: EXIT.unreachable,
    message: 'The NCS server cannot be reached.',
    hint: 'Check the address, your network and HTTPS_PROXY / NO_PROXY; for a private CA set NODE_EXTRA_CA_CERTS.',
  },
  server_error: { exitCode: EXIT.unreachable, message: 'The NCS server failed to answer the request.', hint: 'Try again later; if it persists, tell the NCS administrator.' },
  unexpected_response: { exitCode: EXIT.unreachable, message: 'The NCS server sent an answer the CLI does not understand.', hint: 'Check that --server names an NCS server (not a proxy or web page).' },
  // Reconnect (SPEC 6.2), raised by the reconnect flow.
  loopback_port_busy: { exitCode: EXIT.tryLater, message: 'Every loopback redirect port is busy.', hint: 'Close what uses them, or run the command again with `--oob`.' },
  reconnect_timed_out: { exitCode: EXIT.refused, message: 'The Procore sign-in did not finish in time.', hint: 'Run the command again and finish the sign-in in the browser.' },
  reconnect_denied: { exitCode: EXIT.refused, message: 'The Procore sign-in was cancelled or access was denied.' },
  interrupted: { exitCode: EXIT.interrupted, message: 'Interrupted.' },
  not_implemented: { exitCode: EXIT.bug, message: 'This command is not available in this version of ncs.' },
} as const satisfies Record<string, CliErrorSpec>;
export type CliErrorCode = keyof typeof CLI_ERRORS;

export interface CliErrorOptions {
  message?: string;
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
  /** The API's HTTP status, when the error came from the NCS server. */
  httpStatus?: number;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/** The one error type of the CLI; the handler, `--json` output and tests key on `code`, never on the message. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly httpStatus?: number;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(code: CliErrorCode, options?: CliErrorOptions);
  constructor(code: string, options: CliErrorOptions & { message: string; exitCode: ExitCode });
  constructor(code: string, options: CliErrorOptions = {}) {
    const spec: CliErrorSpec | undefined = (CLI_ERRORS as Record<string, CliErrorSpec>)[code];
    super(options.message ?? spec?.message ?? code, { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? spec?.exitCode ?? EXIT.bug;
    this.hint = options.hint ?? spec?.hint;
    this.httpStatus = options.httpStatus;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): { error: { code: string; message: string; hint?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) } };
  }
}

export function isCliError(value: unknown): value is CliError {
  return value instanceof CliError;
}
