import { ExitCode } from '../../exit-codes.ts';
import { analyzeTo, noSchedulingNote, noteTerminalInput } from './analysis-output.ts';
import { defineCommand, interruptible } from './define.ts';
import { collect } from './options.ts';

export default defineCommand<{ json?: boolean; follow?: boolean; html?: string; weights?: string[]; compare?: string }>({
  name: 'analyze',
  summary: 'read EPP logs back into a per-request table of candidates, scores, weighted totals, picks and the endpoint sent to Envoy',
  description:
    "Read EPP logs back into a per-request, per-profile table: candidates, what each filter removed, each scorer's scores, the weighted totals, the pick and the endpoint sent to Envoy, then a summary. Exits 1 when it finds problems or failures, or no scheduling line at all.",
  arguments: [{ name: '[file]', description: 'EPP log file, or - for standard input (the default)' }],
  options: [
    { flags: '--json', description: 'print one JSON document: {version, requests: [...], summary} (docs/analyze-json.md)' },
    { flags: '-f, --follow', description: 'the input keeps growing (a pipe from logs -f): complete requests after 2 s without news, and show a live summary' },
    { flags: '--html <file>', description: 'also write a self-contained page with heat maps of the scores, the picks and the failures' },
    {
      flags: '--weights <scorer=W,...>',
      description: 'what if the scorers had these weights (type or name; profile/scorer=W for one profile): recompute every pick from the logged scores (docs/what-if.md)',
      parse: collect,
      complete: 'none',
    },
    { flags: '--compare <baseline>', description: 'compare the run in <baseline> with the one in [file], side by side (docs/what-if.md)' },
  ],
  examples: [
    { description: 'The table and summary of a saved log, and an HTML page', command: 'instrument analyze epp.log --html scores.html' },
    { description: "Straight from the cluster's logs", command: 'kubectl logs -n llm-d-inference-scheduler deploy/gaie-inference-scheduling-epp | instrument analyze' },
    { description: 'What if active-request-scorer had weight 3', command: 'instrument analyze epp.log --weights active-request-scorer=3' },
    { description: 'Two runs side by side', command: 'instrument analyze --compare before.log after.log' },
  ],
  async run({ io, style, flags, args: [file] }) {
    // --compare without a second log is refused before anything is read.
    if (flags.compare === undefined || file !== undefined) noteTerminalInput(io, file);
    if (flags.weights !== undefined || flags.compare !== undefined) {
      const { whatIfOrCompare } = await import('../analyze.ts');
      return whatIfOrCompare({ cwd: io.cwd, input: file, stdin: io.stdin!, ...flags, style });
    }
    const { analyze, hasProblems } = await import('../analyze.ts');
    const summary = await interruptible(io, (signal) => analyzeTo(io, style, flags, (options) => analyze({ cwd: io.cwd, input: file, stdin: io.stdin!, signal, ...options })));
    return {
      rendered: { stdout: '', stderr: await noSchedulingNote(summary, file === undefined || file === '-' ? 'standard input' : file) },
      exitCode: hasProblems(summary) ? ExitCode.failed : ExitCode.ok,
    };
  },
});
