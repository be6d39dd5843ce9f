import analyze from './analyze.ts';
import apply from './apply.ts';
import build from './build.ts';
import check from './check.ts';
import completion from './completion.ts';
import type { CommandSpec } from './define.ts';
import deploy from './deploy.ts';
import diff from './diff.ts';
import inspect from './inspect.ts';
import load from './load.ts';
import logs from './logs.ts';
import revert from './revert.ts';
import rollback from './rollback.ts';
import status from './status.ts';
import traffic from './traffic.ts';
import vendor from './vendor.ts';

/** Every command, in the order of the help: the session's order, then the CI job and the shell's. */
export const COMMANDS: readonly CommandSpec<never>[] = [vendor, apply, status, diff, revert, build, load, inspect, deploy, rollback, traffic, logs, analyze, check, completion] as readonly CommandSpec<never>[];
