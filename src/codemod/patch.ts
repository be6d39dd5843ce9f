import type { Node, QueryCapture } from 'web-tree-sitter';
import type { PackageIndex } from './go-package.ts';

/** The decision points (docs/line-format.md). Reports, state files and CI refer to these ids. */
export const POINT_IDS = [
  'scheduler.profile',
  'scheduler.decision',
  'profile.candidates',
  'profile.filters',
  'profile.scores',
  'profile.picked',
  'server.request',
  'server.selected',
] as const;
export type PointId = (typeof POINT_IDS)[number];

/** The files the points go into, found by what they declare. */
export type TargetKind = 'scheduler' | 'profile' | 'server';

export const TARGET_KINDS: readonly TargetKind[] = ['scheduler', 'profile', 'server'];

export const TARGET_METHODS: Record<TargetKind, { receiver: string; method: string }> = {
  scheduler: { receiver: 'Scheduler', method: 'Schedule' },
  profile: { receiver: 'SchedulerProfile', method: 'Run' },
  server: { receiver: 'StreamingServer', method: 'Process' },
};

/** What a patch's `bind` hook may look at: one parsed target file and the module around it. */
export interface PatchContext {
  /** The file's path as shown to users (relative to the tree root). */
  readonly display: string;
  readonly root: Node;
  /** Local import name → import path. */
  readonly imports: ReadonlyMap<string, string>;
  /** The folder of the file, for types declared in the same package. */
  readonly dir: string;
  /** The folder of each target file found, so a point can call into another target's package. */
  readonly targetDirs: Readonly<Partial<Record<TargetKind, string>>>;
  readonly packages: PackageIndex;
  /** `func (x *receiver) name(...)` declared in this file, when there is exactly one. */
  method(receiver: string, name: string): Node | undefined;
  /** `file:line` of a node of this file, for refusals. */
  at(node: Node): string;
}

export interface Placement {
  /** The statement the block goes next to, or the block it opens. */
  readonly anchor: Node;
  readonly where: 'before' | 'after' | 'block-start';
}

/** A further block of the same point (a point may wrap a statement: one block before, one after). */
export interface ExtraBlock {
  readonly placement: Placement;
  /** The template of this block; it is filled with the binding's values. */
  readonly variant: string;
}

export type Binding =
  | {
      readonly ok: true;
      readonly placement: Placement;
      readonly variant: string;
      readonly values: Readonly<Record<string, string>>;
      readonly extra?: readonly ExtraBlock[];
    }
  | Refusal;

/**
 * Why a match is not a place for the point. `reason` says what was found instead, with file and
 * line; `code` names the rule for scripts and tests (`result-repicked`, `anchor-in-header`, ...);
 * `remedy` says what the user can do about it.
 */
export interface Refusal {
  readonly ok: false;
  readonly reason: string;
  readonly code?: string | undefined;
  readonly remedy?: string | undefined;
}

/** A refusal with its rule's code and what to do. */
export function refuse(code: string, reason: string, remedy?: string): Refusal {
  return { ok: false, code, reason, remedy };
}

/**
 * One decision point, as data: where it goes (`within`, `query`), what it inserts (`templates`),
 * and one small hook, `bind`, that checks a query match and names what the template needs from the
 * code it found there (parameter, local, accessor and import-alias names).
 */
export interface PatchPoint {
  readonly id: PointId;
  readonly title: string;
  /** What the emitted line tells the user. */
  readonly description: string;
  readonly target: TargetKind;
  /** The method the query runs in. */
  readonly within: { readonly receiver: string; readonly method: string };
  /** Shown in reports when the point cannot be placed. */
  readonly searchedFor: string;
  /** A tree-sitter query run over `within`; each match is offered to `bind`. */
  readonly query: string;
  /**
   * Go statements to insert, one template per variant, indented with two spaces per level (turned
   * into tabs). `{{name}}` is replaced by `values.name`; `{{verbosity}}` by the V level.
   */
  readonly templates: Readonly<Record<string, string>>;
  bind(captures: readonly QueryCapture[], context: PatchContext): Promise<Binding>;
}

export function capture(captures: readonly QueryCapture[], name: string): Node | undefined {
  return captures.find((c) => c.name === name)?.node;
}
