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
