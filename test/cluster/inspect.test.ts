import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { clusterEnv, createEpp } from '../helpers/epp-cluster.ts';

// inspect against a real API server: the EPP's config map, and the candidate pods in llm-d-vllm
// (test/cluster/manifests/base.yaml: proxy-a, proxy-b, decode-a, both-canary), found by kubectl's
// own selector parsing.

const run = (args: string[]) => cli(args, { cwd: tempDir(), env: clusterEnv() });
const podNames = (stdout: string) => (JSON.parse(stdout) as { pods: Array<{ name: string }> }).pods.map((p) => p.name).sort();

describe('instrument inspect', () => {
  it('reports the scorers, filter and picker with their weights, and the ready candidate pods', async () => {
    const ns = await createEpp();
    const result = await run(['inspect', '--namespace', ns, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    // What was found (here: no llm-d tree, so the folder itself is the workspace), once, on stderr.
    expect(report.found).toMatch(/^no llm-d tree in or above .*; workspace /);
    const text = await run(['inspect', '--namespace', ns]);
    expect(text.stderr.split('\n').filter((l) => l.startsWith('no llm-d tree in or above '))).toHaveLength(1);
    expect(report.scoring.configMap).toBe('gaie-epp-config');
    expect(report.scoring.watched).toEqual([
      { type: 'active-request-scorer', configured: true, names: ['active-request-scorer'], uses: [{ profile: 'default', weight: 2 }] },
      { type: 'by-label-selector', configured: true, names: ['proxies-only'], uses: [{ profile: 'default' }] },
      { type: 'max-score-picker', configured: true, names: ['max-score-picker'], uses: [{ profile: 'default' }] },
    ]);
    expect(report.pods).toHaveLength(2);
    for (const pod of report.pods) expect(pod).toMatchObject({ phase: 'Running', ready: true, ip: expect.stringMatching(/^10\./) });
    expect(podNames(result.stdout)).toEqual(['proxy-a', 'proxy-b']);
  });

  it.each([
    ['role in (decode,both)', ['both-canary', 'decode-a']],
    ['!canary', ['decode-a', 'proxy-a', 'proxy-b']],
    ['env notin (a)', ['both-canary', 'proxy-b']],
    ['canary', ['both-canary']],
    ['role=proxy,env!=a', ['proxy-b']],
  ])('selects candidate pods with %s, as kubectl does', async (selector, names) => {
    const ns = await createEpp();
    const result = await run(['inspect', '--namespace', ns, '--pod-selector', selector, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(podNames(result.stdout)).toEqual(names);
  });

  it('rejects a malformed selector before asking the cluster', async () => {
    const result = await run(['inspect', '--pod-selector', 'role in (decode', '--context', 'down']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a label selector: the list after "role in" is not closed with ")"');
  });

  it('is refused for a user without rights, with the server\'s message once and a hint', async () => {
    const ns = await createEpp();
    const result = await run(['inspect', '--namespace', ns, '--context', 'nobody']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('User "nobody" cannot get resource "deployments" in API group "apps"');
    expect(result.stderr.match(/User "nobody" cannot get/g)).toHaveLength(1);
    expect(result.stderr).toContain('kubectl auth can-i get');
  });
});
