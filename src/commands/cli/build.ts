import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { collect, dryRun, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<
  TreeFlags & { tag?: string; dockerfile?: string; context?: string; buildArg?: string[]; platform?: string; runtime?: string; allowUnpatched?: boolean; dryRun?: boolean }
>({
  name: 'build',
  summary: 'build the EPP image from the workspace (a derived Dockerfile brings _deps/ into the image)',
  description:
    "Build the EPP image from the workspace with docker or podman. When go.mod replaces GIE with ./_deps/..., a derived copy of your Dockerfile (your file is never edited) copies _deps/ in before the first Go step. Refuses when the patches are not applied, unless --allow-unpatched.",
  options: [
    ...treeOptions,
    { flags: '-t, --tag <image>', description: 'image tag (default llm-d-inference-scheduler:local)', complete: 'none' },
    { flags: '-f, --dockerfile <path>', description: 'Dockerfile, relative to the workspace (default llm-d-inference-scheduler/Dockerfile.epp)' },
    // docker build's name for it; build runs no kubectl, so this is not kubectl's --context.
    { flags: '--context <dir>', description: 'build context, relative to the workspace (default llm-d-inference-scheduler)', complete: 'folder' },
    { flags: '--build-arg <KEY=VALUE>', description: 'build argument (repeatable)', parse: collect, complete: 'none' },
    { flags: '--platform <os/arch>', description: 'target platform, e.g. linux/amd64', complete: 'none' },
    { flags: '--runtime <runtime>', description: 'container runtime (default: $CONTAINER_RUNTIME, else docker, else podman)', choices: ['docker', 'podman'] },
    { flags: '--allow-unpatched', description: 'build even though the patches are not applied' },
    dryRun("print the derived Dockerfile's difference and the exact command; build nothing"),
  ],
  examples: [
    { description: 'Build llm-d-inference-scheduler:local from the patched workspace', command: 'instrument build' },
    { description: 'See the derived Dockerfile and the exact command, and build nothing', command: 'instrument build --dry-run' },
    { description: 'Build with podman under another tag', command: 'instrument build --runtime podman -t epp:debug' },
  ],
  async run({ io, style, flags }) {
    const { build } = await import('../build.ts');
    const { renderBuild } = await import('../../reporters/cluster.ts');
    const { outputDisplay } = await import('../../reporters/progress.ts');
    const display = outputDisplay(io.stderr, io.interactive === true && !flags.json, io.columns ?? 80);
    try {
      const result = await build({
        cwd: io.cwd,
        root: flags.root,
        source: flags.source,
        tag: flags.tag,
        dockerfile: flags.dockerfile,
        context: flags.context,
        buildArgs: flags.buildArg,
        platform: flags.platform,
        runtime: flags.runtime,
        allowUnpatched: flags.allowUnpatched,
        dryRun: flags.dryRun,
        env: io.env,
        onOutput: (line) => display.line(line),
      });
      return { rendered: flags.json ? json(result) : renderBuild(result, style), exitCode: ExitCode.ok };
    } finally {
      display.end();
    }
  },
});
