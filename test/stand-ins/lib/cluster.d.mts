import type { FakeClusterState } from '../../helpers/fake-cluster.ts';

/** The state of an empty machine (the stand-ins' defaults for every field a test leaves out). */
export function defaultState(): FakeClusterState;
export function main(tool: string): void;
