// `ncs reconnect <project> --token-stdin`: pushes Procore's token response read from stdin (Global Admins); the token is never echoed.
import type { ProcoreTokenAccepted, ProcoreTokenResponse } from '../../../core/api.js';
import type { NcsApiClient } from '../../api/client.js';
import { CliError, EXIT } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { explainRefusal, type ProjectRef } from './verdict.js';

const NOT_A_TOKEN_HINT = 'Pipe in the JSON that Procore\'s token endpoint answered, e.g. `ncs reconnect P-1002 --token-stdin < token.json`.';

/**
 * The fields of Procore's token response that NCS takes (an `id_token` or other extras are dropped, as
 * the API refuses unknown fields). Error messages never quote the input: it holds secrets.
 */
export function parseTokenResponse(text: string): ProcoreTokenResponse & { scope?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('invalid_token_input', { message: 'Standard input is not JSON, so it is not Procore\'s token response.', hint: NOT_A_TOKEN_HINT, exitCode: EXIT.usage });
  }
  const value = parsed as Record<string, unknown>;
  const missing = ['access_token', 'token_type', 'refresh_token'].filter((field) => typeof value?.[field] !== 'string' || value[field] === '');
  for (const field of ['expires_in', 'created_at']) if (!Number.isSafeInteger(value?.[field])) missing.push(field);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || missing.length > 0) {
    throw new CliError('invalid_token_input', {
      message: `Standard input is not Procore's token response${missing.length > 0 ? ` (missing or wrong: ${missing.join(', ')})` : ''}.`,
      hint: NOT_A_TOKEN_HINT,
      exitCode: EXIT.usage,
    });
  }
  return {
    access_token: value.access_token as string,
    token_type: value.token_type as string,
    expires_in: value.expires_in as number,
    refresh_token: value.refresh_token as string,
    created_at: value.created_at as number,
    ...(typeof value.scope === 'string' ? { scope: value.scope } : {}),
  };
}

export async function pushTokenFromStdin(context: CommandContext, client: NcsApiClient, project: ProjectRef): Promise<ProcoreTokenAccepted> {
  const { io } = context;
  if (io.stdinIsTTY) println(io.stderr, 'Reading Procore\'s token response (JSON) from standard input; end it with Ctrl-D.');
  const token = parseTokenResponse(await io.readStdin());
  try {
    return await client.pushProcoreToken(project.ref, { token });
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.forbidden) {
      throw new CliError(error.code, {
        message: `Only Global Admins may push a Procore token (${project.number}).`,
        hint: `Run \`ncs reconnect ${project.number}\` and sign in to Procore in the browser instead.`,
        exitCode: error.exitCode,
        httpStatus: error.httpStatus,
        cause: error,
      });
    }
    throw explainRefusal(error, project);
  }
}
