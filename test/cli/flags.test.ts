// Flags → options: each command's declaration, checked through the runOverride seam without running its behaviour.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/factory.js';
import { runNcs } from './harness.js';

interface Captured {
  name: string;
  options: Record<string, unknown> & { context: CommandContext };
}

async function capture(args: string[], env: Record<string, string> = {}): Promise<Captured> {
  let captured: Captured | undefined;
  const result = await runNcs(args, {
    env,
    runOverride: async (name, options) => {
      captured = { name, options: options as Captured['options'] };
    },
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return captured!;
}

const withoutContext = ({ context: _context, ...rest }: Captured['options']) => rest;

describe('flags → options', () => {
  it.each([
    [['projects', 'list'], 'projects list', { status: undefined }],
    [['projects', 'list', '--status', 'lost'], 'projects list', { status: 'connection_lost' }],
    [['projects', 'list', '--status', 'degraded'], 'projects list', { status: 'degraded' }],
    [['projects', 'show', 'P-1002'], 'projects show', { project: 'P-1002', check: false }],
    [['projects', 'show', 'civic lib', '--check'], 'projects show', { project: 'civic lib', check: true }],
    [['projects', 'check'], 'projects check', {}],
    [['login'], 'login', { username: undefined, passwordStdin: false }],
    [['login', '-u', 'DEMO\\jsmith', '--password-stdin'], 'login', { username: 'DEMO\\jsmith', passwordStdin: true }],
    [['logout'], 'logout', {}],
    [['whoami'], 'whoami', {}],
    [['reconnect', 'P-1002'], 'reconnect', { project: 'P-1002', allLost: false, browser: true, oob: false, timeoutSeconds: 300, force: false, tokenStdin: false }],
    [
      ['reconnect', 'P-1002', '--no-browser', '--oob', '--timeout', '60', '--force', '--token-stdin'],
      'reconnect',
      { project: 'P-1002', allLost: false, browser: false, oob: true, timeoutSeconds: 60, force: true, tokenStdin: true },
    ],
    [['reconnect', '--all-lost'], 'reconnect', { project: undefined, allLost: true, browser: true, oob: false, timeoutSeconds: 300, force: false, tokenStdin: false }],
  ])('%j → %s %j', async (args, name, expected) => {
    const captured = await capture(args);
    expect(captured.name).toBe(name);
    expect(withoutContext(captured.options)).toEqual(expected);
  });

  it.each([
    [['--server', 'https://a.example', 'projects', 'list'], { server: 'https://a.example', json: false, color: true, verbose: false, insecure: false }],
    [['projects', 'list', '--server', 'https://a.example', '--json', '--no-color', '--verbose', '--insecure'], { server: 'https://a.example', json: true, color: false, verbose: true, insecure: true }],
    [['whoami', '--json'], { server: undefined, json: true, color: true, verbose: false, insecure: false }],
  ])('global options %j, before or after the command', async (args, globals) => {
    const captured = await capture(args);
    expect(captured.options.context.globals).toEqual(globals);
  });

  it('--json turns colour off even on a terminal', async () => {
    let context: CommandContext | undefined;
    await runNcs(['projects', 'list', '--json'], {
      terminal: { stdoutIsTTY: true, stderrIsTTY: true },
      runOverride: async (_name, options) => void (context = (options as { context: CommandContext }).context),
    });
    expect(context!.io.colorStdout).toBe(false);
    expect(context!.io.colorStderr).toBe(false);
    expect(context!.io.json).toBe(true);
  });

  it('prompts are possible only when stdin and stderr are terminals', async () => {
    const contexts: CommandContext[] = [];
    const record = async (_name: string, options: unknown) => void contexts.push((options as { context: CommandContext }).context);
    await runNcs(['login'], { terminal: { stdinIsTTY: true, stderrIsTTY: true }, runOverride: record });
    await runNcs(['login'], { terminal: { stdinIsTTY: false, stderrIsTTY: true }, runOverride: record });
    expect(contexts.map((c) => c.io.canPrompt)).toEqual([true, false]);
  });
});

describe('help', () => {
  it.each([
    [['login', '--help'], 'ncs login --server https://ncs.example.com'],
    [['logout', '--help'], 'ncs logout'],
    [['whoami', '--help'], 'ncs whoami --json'],
    [['projects', 'list', '--help'], 'ncs projects list --status lost'],
    [['projects', 'show', '--help'], 'ncs projects show P-1002'],
    [['projects', 'check', '--help'], 'Exit status: 0 when every visible project is connected'],
    [['reconnect', '--help'], 'ncs reconnect --all-lost'],
    [['completion', '--help'], 'source <(ncs completion bash)'],
    [['--help'], 'NODE_EXTRA_CA_CERTS'],
  ])('%j shows examples', async (args, text) => {
    const result = await runNcs(args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(text);
    if (args.length > 1) expect(result.stdout).toContain('Examples:');
  });
});

describe('ncs completion', () => {
  it.each(['bash', 'zsh', 'fish'])('prints a %s script naming every command and option', async (shell) => {
    const result = await runNcs(['completion', shell]);
    expect(result.exitCode).toBe(0);
    for (const word of ['login', 'logout', 'whoami', 'projects', 'list', 'show', 'check', 'reconnect', 'status', 'password-stdin', 'all-lost', 'server']) {
      expect(result.stdout).toContain(word);
    }
  });

  it('the bash script is valid bash and completes subcommands and --status values', async () => {
    const script = (await runNcs(['completion', 'bash'])).stdout;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ncs-completion-'));
    try {
      const file = path.join(dir, 'ncs.bash');
      writeFileSync(file, script);
      execFileSync('bash', ['-n', file]);
      const complete = (line: string) =>
        execFileSync('bash', ['-c', `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _ncs_complete; echo "\${COMPREPLY[*]}"`]).toString().trim();
      expect(complete('ncs projects ""').split(' ')).toEqual(expect.arrayContaining(['list', 'show', 'check']));
      expect(complete('ncs projects list --status ""').split(' ')).toEqual(['connected', 'lost', 'degraded']);
      expect(complete('ncs --server https://x pro')).toBe('projects');
      expect(complete('ncs completion ""').split(' ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
