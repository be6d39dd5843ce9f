import type { TestProject } from 'vitest/node';
import { ControlPlane } from '../helpers/control-plane.ts';

/** Starts the control plane once for the tier, and stops all of it at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const plane = await ControlPlane.start();
  process.stderr.write(`cluster tier: control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${plane.info.dir})\n`);
  project.provide('controlPlane', plane.info);
  return () => plane.stop();
}
