// lib/common.sh's wait_ready, on its own: no engine, no packages.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBash } from './engine-cli.js';

const COMMON = resolve(import.meta.dirname, '../lib/common.sh');

/** Runs SCRIPT in bash with lib/common.sh sourced. */
const withCommon = (script: string) => runBash(['-c', `set -euo pipefail; source ${JSON.stringify(COMMON)}; ${script}`]);

describe('wait_ready', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('waits for a child that has not yet exec’d its daemon, whatever its command line says meanwhile', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wait-ready-'));
    const ready = join(dir, 'ready');
    // For a second the child is this shell's fork (its command line names no
    // daemon); then it execs one that answers by making the file.
    const run = await withCommon(
      `(sleep 1; exec bash -c 'touch ${ready}; exec sleep 30') </dev/null >/dev/null 2>&1 & pid=$!
       wait_ready "the daemon" "$pid" ${JSON.stringify(join(dir, 'log'))} test -e ${JSON.stringify(ready)}
       kill "$pid"`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(ready)).toBe(true);
  });

  it('reports a child that exits before it answers, and says its log is empty', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wait-ready-'));
    const log = join(dir, 'log');
    const run = await withCommon(`(exit 3) >${JSON.stringify(log)} 2>&1 & wait_ready "the daemon" "$!" ${JSON.stringify(log)} false`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`engine: error: the daemon exited during start-up\nengine: ${log} is empty\n`);
  });
});
