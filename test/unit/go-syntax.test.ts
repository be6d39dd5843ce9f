import { describe, expect, it } from 'vitest';
import { parseGo } from '../../src/codemod/go-parser.ts';
import { importsByName } from '../../src/codemod/go-syntax.ts';

describe('importsByName', () => {
  it('reads single and grouped imports with their local names, leaving out _ and . imports', async () => {
    const source = [
      'package demo',
      '',
      'import "context"',
      '',
      'import (',
      '\t"fmt"',
      '\terrcommmon "example.com/epp/common/error"',
      '\tlogutil "example.com/epp/util/logging"',
      '\t_ "embed"',
      '\t. "strings"',
      '\t"github.com/go-logr/logr"',
      '\t"example.com/api/v2"',
      ')',
      '',
      'func use(ctx context.Context) error { return fmt.Errorf("%v", ctx) }',
      '',
    ].join('\n');
    const parsed = await parseGo(source, 'demo.go');
    try {
      expect(Object.fromEntries(importsByName(parsed.root))).toEqual({
        context: 'context',
        fmt: 'fmt',
        errcommmon: 'example.com/epp/common/error',
        logutil: 'example.com/epp/util/logging',
        logr: 'github.com/go-logr/logr',
        api: 'example.com/api/v2',
      });
    } finally {
      parsed.tree.delete();
    }
  });
});
