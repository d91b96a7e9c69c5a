import { InvalidArgumentError, type Command } from 'commander';
import { PHASES } from '../../api/status.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** Verbs whose first argument is a SparkJob name. */
const JOB_VERBS = ['get', 'describe', 'logs', 'events', 'wait', 'delete', 'suspend', 'resume', 'rerun', 'trigger'];
const WAIT_FOR =
  'condition=Succeeded condition=Succeeded=False condition=Stalled condition=Reconciling=False phase=Succeeded phase=Failed phase=Running phase=Suspended delete jsonpath=';
/** What follows `--for condition=` and `--for phase=`. */
const CONDITIONS = 'Succeeded Stalled Reconciling';
const PHASES_WORDS = PHASES.join(' ');
const OUTPUTS = 'table wide yaml json name jsonpath= custom-columns=';
/** The global flags, offered after the verb too (they may come on either side). */
const GLOBALS = ['--jobs', '--state-dir'];

interface VerbInfo {
  readonly name: string;
  readonly summary: string;
  readonly flags: string[];
}

function verbsOf(program: Command): VerbInfo[] {
  return program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => ({
      name: c.name(),
      summary: c
        .description()
        .replace(/[':\n]/g, ' ')
        .trim(),
      flags: [...c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined)), ...GLOBALS, '--help'],
    }));
}

// The hidden verb answers from the names the read verbs cached, else runs `get -o name` (whose lines carry kind/).
const DYNAMIC_JOBS = `sparkctl "$@" __complete-jobs 2>/dev/null | sed 's|^[a-z]*/||'`;

/** The bash completion script for the program's verbs and flags; job names come from `sparkctl __complete-jobs`. */
export function bashCompletion(program: Command): string {
  const verbs = verbsOf(program);
  const flagCases = verbs.map((v) => `      ${v.name}) COMPREPLY=($(compgen -W "${v.flags.join(' ')}" -- "$cur")) ;;`).join('\n');
  return `# bash completion for sparkctl
# Load it now:      source <(sparkctl completion bash)
# Or for good:      sparkctl completion bash > /etc/bash_completion.d/sparkctl

_sparkctl_jobs() {
  ${DYNAMIC_JOBS}
}

_sparkctl() {
  local cur prev verb i
  local -a globals=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  verb=""
  # Global flags count on either side of the verb; the first other word is the verb.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --jobs|--state-dir) globals+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      -*|=) ;;
      *) [[ -z "$verb" ]] && verb="\${COMP_WORDS[i]}" ;;
    esac
  done
  # bash splits "--for=condition=Su" at each "=": look back over those pieces.
  local before="\${COMP_WORDS[COMP_CWORD-2]}" third="\${COMP_WORDS[COMP_CWORD-3]}" fourth="\${COMP_WORDS[COMP_CWORD-4]}"
  if [[ "$prev" == "=" ]]; then
    case "$before" in
      --for) COMPREPLY=($(compgen -W "${WAIT_FOR}" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
      -o|--output) COMPREPLY=($(compgen -W "${OUTPUTS}" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
      --jobs|--state-dir) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
      condition) [[ "$third" == --for || ( "$third" == "=" && "$fourth" == --for ) ]] && COMPREPLY=($(compgen -W "${CONDITIONS}" -- "$cur")); return ;;
      phase) [[ "$third" == --for || ( "$third" == "=" && "$fourth" == --for ) ]] && COMPREPLY=($(compgen -W "${PHASES_WORDS}" -- "$cur")); return ;;
    esac
  fi
  case "$prev" in
    --jobs|--state-dir) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    -f|--filename) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    -o|--output) COMPREPLY=($(compgen -W "${OUTPUTS}" -- "$cur")); return ;;
    --for) COMPREPLY=($(compgen -W "${WAIT_FOR}" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
  esac
  if [[ -z "$verb" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "--jobs --state-dir --help" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${verbs.map((v) => v.name).join(' ')}" -- "$cur"))
    fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    case "$verb" in
${flagCases}
    esac
    return
  fi
  case "$verb" in
    ${JOB_VERBS.join('|')}) COMPREPLY=($(compgen -W "$(_sparkctl_jobs "\${globals[@]}")" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
    validate) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
  esac
}

complete -F _sparkctl sparkctl
`;
}

/** The zsh completion script: works from $fpath (as _sparkctl) or sourced. */
export function zshCompletion(program: Command): string {
  const verbs = verbsOf(program);
  const flagCases = verbs.map((v) => `      ${v.name}) compadd -- ${v.flags.join(' ')} ;;`).join('\n');
  return `#compdef sparkctl
# zsh completion for sparkctl
# Load it now:      source <(sparkctl completion zsh)
# Or for good:      sparkctl completion zsh > "\${fpath[1]}/_sparkctl"

_sparkctl_jobs() {
  local -a jobs
  jobs=(\${(f)"$(${DYNAMIC_JOBS})"})
  compadd -- $jobs
}

_sparkctl() {
  local -a verbs globals
  local verb i
  verbs=(
${verbs.map((v) => `    '${v.name}:${v.summary}'`).join('\n')}
  )
  # Global flags count on either side of the verb; the first other word is the verb.
  for ((i = 2; i < CURRENT; i++)); do
    case \${words[i]} in
      --jobs|--state-dir) globals+=(\${words[i]} \${words[i+1]}); ((i++)) ;;
      --jobs=*|--state-dir=*) globals+=(\${words[i]}) ;;
      -*) ;;
      *) [[ -z $verb ]] && verb=\${words[i]} ;;
    esac
  done
  case \${words[CURRENT]} in
    --for=condition=*) compadd -P "--for=condition=" -- ${CONDITIONS}; return ;;
    --for=phase=*) compadd -P "--for=phase=" -- ${PHASES_WORDS}; return ;;
    --for=*) compadd -S '' -P "--for=" -- ${WAIT_FOR}; return ;;
    condition=*) [[ \${words[CURRENT-1]} == --for ]] && compadd -P "condition=" -- ${CONDITIONS}; return ;;
    phase=*) [[ \${words[CURRENT-1]} == --for ]] && compadd -P "phase=" -- ${PHASES_WORDS}; return ;;
  esac
  case \${words[CURRENT-1]} in
    --jobs|--state-dir) _directories; return ;;
    -f|--filename) _files; return ;;
    -o|--output) compadd -- ${OUTPUTS}; return ;;
    --for) compadd -S '' -- ${WAIT_FOR}; return ;;
  esac
  if [[ -z $verb ]]; then
    if [[ \${words[CURRENT]} == -* ]]; then
      compadd -- --jobs --state-dir --help
    else
      _describe 'verb' verbs
    fi
    return
  fi
  if [[ \${words[CURRENT]} == -* ]]; then
    case $verb in
${flagCases}
    esac
    return
  fi
  case $verb in
    ${JOB_VERBS.join('|')}) _sparkctl_jobs $globals ;;
    completion) compadd -- bash zsh ;;
    validate) _files ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _sparkctl "$@"
else
  compdef _sparkctl sparkctl
fi
`;
}

const SHELLS = { bash: bashCompletion, zsh: zshCompletion } as const;

/** `sparkctl completion bash|zsh`: prints a shell completion script. */
export function registerCompletion(program: Command, setExit: SetExit): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh', (v: string) => {
      if (v !== 'bash' && v !== 'zsh') throw new InvalidArgumentError(`completion is available for bash and zsh, not '${v}'`);
      return v;
    })
    .addHelpText('after', '\nExamples:\n  source <(sparkctl completion bash)\n  sparkctl completion zsh > "${fpath[1]}/_sparkctl"\n')
    .action((shell: keyof typeof SHELLS) =>
      runAction(setExit, async () => {
        process.stdout.write(SHELLS[shell](program));
        return 0;
      }),
    );
}
