import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, formatLockFile } from './lock-file';
import { readLockFile } from './read-lock-file';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('readLockFile', () => {
  let workspaceRoot = '';
  beforeEach(() => {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'imagewise-lock-'));
    mkdirSync(join(workspaceRoot, 'services/notifier'), { recursive: true });
  });
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  it('reads the digests of a valid lock file', () => {
    writeFileSync(join(workspaceRoot, 'services/notifier', LOCK_FILE), formatLockFile({ upstream: { 'docker.io/library/node:18': DIGEST } }));
    expect(readLockFile(workspaceRoot, 'services/notifier')).toEqual({ 'docker.io/library/node:18': DIGEST });
  });

  it('gives no digests when the lock file is missing or invalid', () => {
    expect(readLockFile(workspaceRoot, 'services/notifier')).toEqual({});
    writeFileSync(join(workspaceRoot, 'services/notifier', LOCK_FILE), '{"upstream": {"docker.io/library/node:18": "sha256:short"}}');
    expect(readLockFile(workspaceRoot, 'services/notifier')).toEqual({});
  });
});
