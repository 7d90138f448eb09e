#!/usr/bin/env node
// @ts-check
// The one script both CI templates (.gitlab-ci.yml, .github/workflows/ci.yml)
// call, at the root of the workspace's clone, after npm ci:
//   node tools/ci/ci.mjs validation|unit-test|build-images|deploy|refresh-locks|range
// Plain JavaScript so it runs on any Node.js >= 20 without a build or loader.
// See docs/ci.md.
import { STAGES, runStage } from './lib/stages.mjs';

const [stage, ...extra] = process.argv.slice(2);
if (!STAGES.includes(/** @type {any} */ (stage)) || extra.length > 0) {
  console.error(`usage: node tools/ci/ci.mjs <${STAGES.join('|')}>${stage ? ` (got: ${[stage, ...extra].join(' ')})` : ''}`);
  process.exit(2);
}
try {
  process.exitCode = await runStage(/** @type {import('./lib/stages.mjs').Stage} */ (stage), { root: process.cwd(), env: process.env });
} catch (error) {
  console.error(`ci: error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
