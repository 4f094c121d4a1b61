// Shell completion scripts generated from the declared commands, so they never drift from the CLI.
import type { Command } from 'commander';
import type { CommandContext } from '../../factory.js';

export interface CompletionOption {
  flags: string[];
  description: string;
  /** Values to offer after the option; an empty list for a free value; undefined for a switch. */
  values?: string[];
}

export interface CompletionCommand {
  /** Words after `ncs`, e.g. ['projects', 'list']. */
  path: string[];
  description: string;
  subcommands: string[];
  options: CompletionOption[];
  /** Values for the first argument when fixed (e.g. the shells of `completion`). */
  argumentValues: string[];
}

export interface CompletionOptions {
  context: CommandContext;
  shell: 'bash' | 'zsh' | 'fish';
  /** The declared program, walked for its commands and options. */
  root: Command;
}

/** Walks the declared commands; cheap (no behaviour module is loaded). */
export function describeCommands(root: Command): CompletionCommand[] {
  const result: CompletionCommand[] = [];
  const walk = (command: Command, path: string[]) => {
    const visible = command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden && sub.name() !== 'help');
    result.push({
      path,
      description: command.description(),
      subcommands: visible.map((sub) => sub.name()),
      options: command.options
        .filter((option) => !option.hidden)
        .map((option) => ({
          flags: [option.short, option.long].filter((flag): flag is string => Boolean(flag)),
          description: option.description,
          ...(option.required || option.optional ? { values: option.argChoices ?? [] } : {}),
        })),
      argumentValues: command.registeredArguments[0]?.argChoices ?? [],
    });
    for (const sub of visible) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return result;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function bashScript(commands: CompletionCommand[]): string {
  const globals = commands.find((c) => c.path.length === 0)!;
  const valueFlags = commands.flatMap((c) => c.options.filter((o) => o.values).flatMap((o) => o.flags));
  const cases = commands.map((command) => {
    const words = [...command.subcommands, ...command.argumentValues, ...command.options.flatMap((o) => o.flags), ...(command.path.length ? globals.options.flatMap((o) => o.flags) : [])];
    return `    ${quote(command.path.join(' '))}) words=${quote(words.join(' '))} ;;`;
  });
  const valueCases = commands
    .flatMap((c) => c.options)
    .filter((o) => o.values && o.values.length > 0)
    .map((o) => `    ${o.flags.join('|')}) COMPREPLY=($(compgen -W ${quote(o.values!.join(' '))} -- "$cur")); return ;;`);
  return `# ncs shell completion (bash). Add to ~/.bashrc:  source <(ncs completion bash)
_ncs_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" words="" i
  case "$prev" in
${[...new Set(valueCases)].join('\n')}
    ${[...new Set(valueFlags)].join('|')}) return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${[...new Set(valueFlags)].join('|')}) ((i++)) ;;
      -*) ;;
      *) path="\${path:+$path }\${COMP_WORDS[i]}" ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _ncs_complete ncs
`;
}

export function zshScript(commands: CompletionCommand[]): string {
  return `# ncs shell completion (zsh). Add to ~/.zshrc:  source <(ncs completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands).split('\n').slice(1).join('\n')}`;
}

export function fishScript(commands: CompletionCommand[]): string {
  const lines = ['# ncs shell completion (fish). Save as ~/.config/fish/completions/ncs.fish', 'complete -c ncs -f'];
  const all = commands.flatMap((c) => c.subcommands);
  const optionLine = (option: CompletionOption, condition?: string) => {
    const short = option.flags.find((f) => /^-[^-]$/.test(f));
    const long = option.flags.find((f) => f.startsWith('--'));
    const parts = ['complete -c ncs'];
    if (condition) parts.push(`-n ${quote(condition)}`);
    if (short) parts.push(`-s ${short.slice(1)}`);
    if (long) parts.push(`-l ${long.slice(2)}`);
    if (option.values) parts.push(option.values.length ? `-xa ${quote(option.values.join(' '))}` : '-r');
    parts.push(`-d ${quote(option.description)}`);
    return parts.join(' ');
  };
  for (const command of commands) {
    const condition =
      command.path.length === 0
        ? `not __fish_seen_subcommand_from ${all.join(' ')}`
        : `__fish_seen_subcommand_from ${command.path[command.path.length - 1]}` +
          (command.subcommands.length ? `; and not __fish_seen_subcommand_from ${command.subcommands.join(' ')}` : '');
    for (const sub of command.subcommands) {
      const description = commands.find((c) => c.path.join(' ') === [...command.path, sub].join(' '))?.description ?? '';
      lines.push(`complete -c ncs -n ${quote(condition)} -a ${sub} -d ${quote(description)}`);
    }
    if (command.argumentValues.length) lines.push(`complete -c ncs -n ${quote(condition)} -a ${quote(command.argumentValues.join(' '))}`);
    for (const option of command.options) lines.push(command.path.length === 0 ? optionLine(option) : optionLine(option, `__fish_seen_subcommand_from ${command.path[command.path.length - 1]}`));
  }
  return `${lines.join('\n')}\n`;
}

export async function printCompletion(options: CompletionOptions): Promise<void> {
  const commands = describeCommands(options.root);
  const script = options.shell === 'bash' ? bashScript(commands) : options.shell === 'zsh' ? zshScript(commands) : fishScript(commands);
  options.context.io.stdout.write(script);
}
