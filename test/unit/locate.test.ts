import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTargetFiles, findTargetFilesYielding } from '../../src/codemod/locate.ts';
import { tempDir } from '../helpers/fixtures.ts';

const PROFILE_RUN = 'package scheduling\n\nfunc (p *SchedulerProfile) Run(ctx context.Context) error {\n\treturn nil\n}\n';
const SCHEDULER_SCHEDULE = 'package scheduling\n\nfunc (s *Scheduler) Schedule(ctx context.Context) error {\n\treturn nil\n}\n';
const SERVER_PROCESS = 'package handlers\n\nfunc (s *StreamingServer) Process(srv Stream) error {\n\treturn nil\n}\n';

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('the search for the target files', () => {
  it('finds each declaring file wherever it is, skips what Go skips, and gives the same answer however it is driven', async () => {
    const root = realpathSync(tempDir());
    write(root, 'pkg/epp/scheduling/profile.go', PROFILE_RUN);
    write(root, 'pkg/epp/handlers/server.go', SERVER_PROCESS);
    write(root, 'pkg/epp/scheduling/scheduler.go', SCHEDULER_SCHEDULE);
    // Mentions the type but declares no Run: searched, not taken.
    write(root, 'pkg/epp/scheduling/types.go', 'package scheduling\n\n// Run as in (p *SchedulerProfile) Run.\ntype SchedulerProfile struct{}\n');
    // Not sources: tests, test data, vendored and underscore folders, hidden folders, other files.
    write(root, 'pkg/epp/scheduling/profile_test.go', PROFILE_RUN);
    write(root, 'pkg/epp/testdata/profile.go', PROFILE_RUN);
    write(root, 'vendor/example.com/epp/profile.go', PROFILE_RUN);
    write(root, '_deps/copy/profile.go', PROFILE_RUN);
    write(root, '.cache/profile.go', PROFILE_RUN);
    write(root, 'docs/profile.go.txt', PROFILE_RUN);
    // A linked file is found (so that writing through it can be refused); a linked folder is not followed.
    const outside = realpathSync(tempDir());
    write(outside, 'server.go', SERVER_PROCESS);
    symlinkSync(join(outside, 'server.go'), join(root, 'pkg/epp/linked_server.go'));
    symlinkSync(outside, join(root, 'pkg/linked-folder'));
    // Many folders, so that the yielding search pauses along the way.
    for (let i = 0; i < 300; i++) write(root, `internal/filler/p${i}/f.go`, `package p${i}\n\nfunc F() {}\n`);

    const expected = {
      scheduler: [join(root, 'pkg/epp/scheduling/scheduler.go')],
      profile: [join(root, 'pkg/epp/scheduling/profile.go')],
      server: [join(root, 'pkg/epp/handlers/server.go'), join(root, 'pkg/epp/linked_server.go')].sort(),
    };
    expect(findTargetFiles(root)).toEqual(expected);
    expect(await findTargetFilesYielding(root)).toEqual(expected);
  });
});
