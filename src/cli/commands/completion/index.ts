// `ncs completion bash|zsh|fish`: declarations only.
import { Argument, Command } from 'commander';
import { examples, lazyAction, type RunState } from '../../command-kit.js';
import type { Factory } from '../../factory.js';
import type { CompletionOptions } from './completion.js';

export function completionCommand(factory: Factory, state: RunState, root: () => Command): Command {
  return new Command('completion')
    .description('Print a shell completion script')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'source <(ncs completion bash)            # in ~/.bashrc',
        'source <(ncs completion zsh)             # in ~/.zshrc',
        'ncs completion fish > ~/.config/fish/completions/ncs.fish',
      ),
    )
    .action(
      lazyAction<CompletionOptions>(
        factory,
        state,
        'completion',
        (context, _flags, [shell]) => ({ context, shell: shell as CompletionOptions['shell'], root: root() }),
        async () => (await import('./completion.js')).printCompletion,
      ),
    );
}
