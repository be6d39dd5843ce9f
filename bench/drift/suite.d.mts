export type Outcome = 'correct' | 'refused' | 'silent-wrong' | 'broken' | 'error' | 'invalid' | 'n/a';

export interface CaseResult {
  shape: string;
  kind: string;
  outcome: Outcome;
  reason?: string;
  diffs?: string[];
  file?: string;
  line?: number;
  dir?: string;
}

export declare const REPO: string;
export declare const SHAPES: string[];
export declare const SHAPE_BASES: Record<string, string | null>;
export declare function runCase(options: {
  shape: string;
  kind: string;
  instrument: string;
  keep?: boolean;
  /** Runs after a successful apply, on the patched copy, before it is built (to plant a fault). */
  afterApply?: (dir: string) => void;
}): Promise<CaseResult>;
export declare function runCaseWith(options: { shape: string; kind: string; instruments: string[]; keep?: boolean; afterApply?: (dir: string) => void }): Promise<CaseResult[]>;
export declare function cases(options?: { shapes?: string[]; kinds?: string[] }): Array<{ shape: string; kind: string }>;
export declare function compareWithTruth(truth: unknown, analyzed: unknown): string[];
