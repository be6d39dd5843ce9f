import { ExitCode } from '../../exit-codes.ts';
import { defineCommand } from './define.ts';
import { globalOptions } from './options.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export default defineCommand<Record<string, never>>({
  name: 'completion',
  summary: 'print the shell completion script for bash, zsh or fish',
  description: 'Print the completion script for bash, zsh or fish: commands, flags and their values (choices, files, folders) complete as you type.',
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish', choices: SHELLS }],
  options: [],
  examples: [
    { description: 'bash: complete in this shell, or in every new one', command: "source <(instrument completion bash)\n  echo 'source <(instrument completion bash)' >> ~/.bashrc" },
    { description: 'zsh: save it where $fpath looks (then compinit), or load it now', command: 'instrument completion zsh > "${fpath[1]}/_instrument"\n  source <(instrument completion zsh)' },
    { description: 'fish', command: 'instrument completion fish > ~/.config/fish/completions/instrument.fish' },
  ],
  async run({ commands, args: [shell] }) {
    const { completionScript } = await import('./completion-scripts.ts');
    return { rendered: { stdout: completionScript(shell as (typeof SHELLS)[number], commands, globalOptions), stderr: '' }, exitCode: ExitCode.ok };
  },
});
