import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as common from './index.js';

describe('public API', () => {
  it('exports exactly the supported runtime values', () => {
    expect(Object.keys(common).sort()).toEqual([
      'ConfigError',
      'LOG_LEVELS',
      'VERSION',
      'createHealthServer',
      'createLogger',
      'healthHandler',
      'loadConfig',
      'runHealthChecks',
    ]);
  });

  it('reports the version from package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(common.VERSION).toBe(manifest.version);
    expect(common.VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
