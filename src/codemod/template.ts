import { InternalError } from '../errors.ts';

/**
 * Turns a patch template into Go lines: drops the leading newline, turns each two-space indentation
 * step into a tab (gofmt's indentation), and fills `{{name}}` placeholders. An unknown placeholder
 * is a bug in the patch, never a silent gap in generated code.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string[] {
  return template
    .replace(/^\n/, '')
    .split('\n')
    .map((line) => {
      const indent = /^( {2})*/.exec(line)![0];
      const body = line.slice(indent.length).replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
        const value = values[key];
        if (value === undefined) throw new InternalError(`template placeholder {{${key}}} has no value`);
        return value;
      });
      return '\t'.repeat(indent.length / 2) + body;
    });
}
