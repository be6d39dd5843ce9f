import { ExitCode } from '../../exit-codes.ts';
import { renderVendor } from '../../reporters/text.ts';
import { defineCommand, json } from './define.ts';
import { tree, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<TreeFlags & { upstream?: string; force?: boolean }>({
  name: 'vendor',
  summary: "clone the GIE version llm-d's go.mod requires into _deps/ (llm-d up to v0.8.0)",
  description:
    "Clone the GIE version llm-d's go.mod requires into llm-d-inference-scheduler/_deps/gateway-api-inference-extension (llm-d up to v0.8.0, whose EPP is GIE's): a shallow clone of a tag, a partial clone of a pseudo-version's commit.",
  options: [
    ...treeOptions,
    { flags: '--upstream <url>', description: 'where to clone GIE from: a URL or a local repository (default: $INSTRUMENT_GIE_UPSTREAM, else the kubernetes-sigs repository)' },
    { flags: '--force', description: 'replace an existing copy (it is moved aside, not deleted)' },
  ],
  examples: [
    { description: 'Clone the GIE version go.mod requires into _deps/', command: 'instrument vendor' },
    { description: 'Clone it from a local mirror instead, replacing the copy there', command: 'instrument vendor --upstream ~/src/gateway-api-inference-extension --force' },
  ],
  async run({ io, flags }) {
    const { vendor } = await import('../vendor.ts');
    const { gitProgressDisplay } = await import('../../reporters/progress.ts');
    const progress = gitProgressDisplay(io.stderr, io.interactive === true && !flags.json, io.columns ?? 80);
    try {
      const result = await vendor({ ...tree(io, flags), upstream: flags.upstream ?? io.env.INSTRUMENT_GIE_UPSTREAM, force: flags.force, onProgress: progress.onProgress });
      return { rendered: flags.json ? json(result) : renderVendor(result), exitCode: ExitCode.ok };
    } finally {
      progress.end();
    }
  },
});
