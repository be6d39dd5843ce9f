/**
 * Shows a long-running tool's output: every line as it comes when stderr is not a terminal (CI
 * logs), or one status line rewritten in place on a terminal, naming the current build step.
 */
export interface OutputDisplay {
  line(text: string): void;
  /** Clears the status line (call once the tool has finished, either way). */
  end(): void;
}

export function outputDisplay(write: (text: string) => void, interactive: boolean, columns: number): OutputDisplay {
  if (!interactive) return { line: (text) => write(text + '\n'), end: () => undefined };
  let step = '';
  let shown = false;
  return {
    line(text) {
      // Legacy builder: "Step 3/15 : RUN ..."; BuildKit: "#7 [builder 4/6] RUN ...".
      const legacy = /^Step (\d+\/\d+) : (.*)$/.exec(text);
      const buildkit = /^#\d+ \[([^\]]+)\] (.*)$/.exec(text);
      if (legacy) step = `step ${legacy[1]}: ${legacy[2]}`;
      else if (buildkit) step = `${buildkit[1]}: ${buildkit[2]}`;
      const status = `building, ${step || 'starting'}${step && text !== step ? ` | ${text.trim()}` : ''}`;
      write(`\r\x1b[K${status.slice(0, Math.max(20, columns - 1))}`);
      shown = true;
    },
    end() {
      if (shown) write('\r\x1b[K');
    },
  };
}

/** What `git clone --progress` says it is doing, in the event simple-git hands over. */
export interface GitProgress {
  readonly method: string;
  readonly stage: string;
  readonly progress: number;
  readonly processed: number;
  readonly total: number;
}

/**
 * Shows git's progress as one status line rewritten in place, on a terminal only: a clone's
 * counters mean nothing in a CI log, where the result line says what was cloned.
 */
export function gitProgressDisplay(write: (text: string) => void, interactive: boolean, columns: number): { readonly onProgress: ((event: GitProgress) => void) | undefined; end(): void } {
  if (!interactive) return { onProgress: undefined, end: () => undefined };
  let shown = false;
  return {
    onProgress(event) {
      const status = `git ${event.method}: ${event.stage} ${event.progress}% (${event.processed}/${event.total})`;
      write(`\r\x1b[K${status.slice(0, Math.max(20, columns - 1))}`);
      shown = true;
    },
    end() {
      if (shown) write('\r\x1b[K');
    },
  };
}
