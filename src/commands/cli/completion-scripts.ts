import type { ArgumentSpec, CommandSpec, OptionSpec } from './define.ts';

/**
 * Shell completion scripts for bash, zsh and fish, written from the same command list the program
 * is built from, so a new flag completes as soon as it is declared.
 */

export type Shell = 'bash' | 'zsh' | 'fish';

interface Flag {
  readonly short: string | undefined;
  readonly long: string;
  readonly takesValue: boolean;
  /** The value's name, from `<name>`. */
  readonly valueName: string;
  readonly choices: readonly string[] | undefined;
  readonly complete: 'file' | 'folder' | 'none';
  readonly description: string;
}

interface Completed {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly Flag[];
  /** What the first positional argument completes to, if the command takes one. */
  readonly argument: { readonly choices: readonly string[] | undefined } | undefined;
}

function flag(option: OptionSpec): Flag {
  const match = /^(?:-(\w), )?--([\w-]+)(?: [<[]([^>\]]+)[>\]])?$/.exec(option.flags);
  if (!match) throw new Error(`completion: cannot read the flags ${JSON.stringify(option.flags)}`);
  return {
    short: match[1],
    long: match[2]!,
    takesValue: match[3] !== undefined,
    valueName: (match[3] ?? 'value').replace(/[^\w-]/g, '') || 'value',
    choices: option.choices,
    complete: option.choices ? 'none' : (option.complete ?? 'file'),
    description: option.description,
  };
}

const HELP: Flag = { short: 'h', long: 'help', takesValue: false, valueName: '', choices: undefined, complete: 'none', description: 'show the help' };
const VERSION: Flag = { short: 'V', long: 'version', takesValue: false, valueName: '', choices: undefined, complete: 'none', description: 'print the version' };

function argument(args: readonly ArgumentSpec[] | undefined) {
  const first = args?.[0];
  return first === undefined ? undefined : { choices: first.choices };
}

/** The completion script for `shell`, with `globals` the program's own flags. */
export function completionScript(shell: Shell, commands: readonly CommandSpec<never>[], globals: readonly OptionSpec[]): string {
  const list: Completed[] = commands.map((c) => ({ name: c.name, summary: c.summary, flags: [...c.options.map(flag), HELP], argument: argument(c.arguments) }));
  // commander's own `help [command]`.
  list.push({ name: 'help', summary: 'show the help of a command', flags: [], argument: { choices: commands.map((c) => c.name) } });
  const global = globals.map(flag);
  return { bash, zsh, fish }[shell](list, global);
}

const words = (flags: readonly Flag[]) => flags.flatMap((f) => [...(f.short ? [`-${f.short}`] : []), `--${f.long}`]);

function bashValueCases(flags: readonly Flag[], indent: string): string {
  const lines: string[] = [];
  for (const f of flags.filter((x) => x.takesValue)) {
    const names = [...(f.short ? [`-${f.short}`] : []), `--${f.long}`].join('|');
    const action = f.choices
      ? `COMPREPLY=($(compgen -W '${f.choices.join(' ')}' -- "$cur"))`
      : f.complete === 'folder'
        ? `COMPREPLY=($(compgen -d -- "$cur"))`
        : f.complete === 'file'
          ? `COMPREPLY=($(compgen -f -- "$cur"))`
          : 'COMPREPLY=()';
    lines.push(`${indent}${names}) ${action}; return ;;`);
  }
  return lines.join('\n');
}

function bash(list: readonly Completed[], global: readonly Flag[]): string {
  const globalValues = global.filter((f) => f.takesValue).flatMap((f) => words([f]));
  const commandCases = list
    .map((c) => {
      const positional = c.argument === undefined ? 'words=' : c.argument.choices ? `words='${c.argument.choices.join(' ')}'` : 'files=1';
      return [
        `    ${c.name})`,
        '      case "$prev" in',
        bashValueCases([...c.flags, ...global], '        '),
        '      esac',
        `      options='${words([...c.flags, ...global]).join(' ')}'`,
        `      ${positional}`,
        '      ;;',
      ].join('\n');
    })
    .join('\n');
  return `# bash completion for instrument, written by \`instrument completion bash\`.
# Load it with: source <(instrument completion bash)
_instrument() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command="" i options="" words="" files=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${globalValues.join('|')}) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$command" ]]; then
    case "$prev" in
${bashValueCases(global, '      ')}
    esac
    COMPREPLY=($(compgen -W '${[...list.map((c) => c.name), ...words([...global, HELP, VERSION])].join(' ')}' -- "$cur"))
    return
  fi
  case "$command" in
${commandCases}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -n "$files" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  fi
}
complete -o filenames -o bashdefault -F _instrument instrument
`;
}

/** Text inside a zsh single-quoted word, as an _arguments description (brackets and colons escaped). */
function zshText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/[[\]:]/g, (c) => `\\${c}`).replace(/'/g, `'\\''`);
}

function zshSpec(f: Flag): string {
  const action = !f.takesValue ? '' : f.choices ? `:${f.valueName}:(${f.choices.join(' ')})` : f.complete === 'folder' ? `:${f.valueName}:_files -/` : f.complete === 'file' ? `:${f.valueName}:_files` : `:${f.valueName}: `;
  const description = `[${zshText(f.description)}]${action.replace(/'/g, `'\\''`)}`;
  return f.short ? `'(-${f.short} --${f.long})'{-${f.short},--${f.long}}'${description}'` : `'--${f.long}${description}'`;
}

function zsh(list: readonly Completed[], global: readonly Flag[]): string {
  const cases = list
    .map((c) => {
      const specs = [...c.flags, ...global].map(zshSpec);
      if (c.argument) specs.push(c.argument.choices ? `'1:argument:(${c.argument.choices.join(' ')})'` : `'1:file:_files'`);
      return `        ${c.name})\n          _arguments -s \\\n            ${specs.join(' \\\n            ')}\n          ;;`;
    })
    .join('\n');
  return `#compdef instrument
# zsh completion for instrument, written by \`instrument completion zsh\`.
# Load it with: source <(instrument completion zsh), or save it as _instrument in a folder of $fpath.
_instrument() {
  local -a commands
  commands=(
${list.map((c) => `    '${c.name}:${zshText(c.summary)}'`).join('\n')}
  )
  local curcontext="$curcontext" state line
  _arguments -C \\
    ${[...global, HELP, VERSION].map(zshSpec).join(' \\\n    ')} \\
    '1: :->command' \\
    '*:: :->arguments'
  case $state in
    command) _describe -t commands 'instrument command' commands ;;
    arguments)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _instrument "$@"
else
  compdef _instrument instrument
fi
`;
}

/** Text inside a fish single-quoted word. */
const fishText = (text: string) => text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");

function fishFlag(f: Flag, condition: string | undefined): string {
  const parts = ['complete -c instrument'];
  if (condition) parts.push(`-n '${condition}'`);
  if (f.short) parts.push(`-s ${f.short}`);
  parts.push(`-l ${f.long}`);
  if (f.takesValue) {
    if (f.choices) parts.push(`-x -a '${f.choices.join(' ')}'`);
    else if (f.complete === 'folder') parts.push("-x -a '(__fish_complete_directories)'");
    else if (f.complete === 'file') parts.push('-r -F');
    else parts.push('-x');
  }
  parts.push(`-d '${fishText(f.description)}'`);
  return parts.join(' ');
}

function fish(list: readonly Completed[], global: readonly Flag[]): string {
  const names = list.map((c) => c.name).join(' ');
  const lines = [
    '# fish completion for instrument, written by `instrument completion fish`.',
    '# Load it with: instrument completion fish | source, or save it as ~/.config/fish/completions/instrument.fish',
    'complete -c instrument -f',
    ...[...global, HELP, VERSION].map((f) => fishFlag(f, undefined)),
    ...list.map((c) => `complete -c instrument -n 'not __fish_seen_subcommand_from ${names}' -a ${c.name} -d '${fishText(c.summary)}'`),
  ];
  for (const c of list) {
    const seen = `__fish_seen_subcommand_from ${c.name}`;
    lines.push(...c.flags.map((f) => fishFlag(f, seen)));
    if (c.argument) lines.push(c.argument.choices ? `complete -c instrument -n '${seen}' -x -a '${c.argument.choices.join(' ')}'` : `complete -c instrument -n '${seen}' -F`);
  }
  return lines.join('\n') + '\n';
}
