// Vitest global setup of the suites that run real Nx in temporary workspaces:
// one npm install of Nx and the packed plugin per run (not one per test file,
// which on a busy 2-core runner cost half a minute each), handed to the files by
// `inject`; removed when the run ends. Workspaces only link its node_modules.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { installTemplate } from './workspace';

export default function setup(project: TestProject): () => void {
  const template = installTemplate();
  project.provide('nxTemplate', template);
  return () => rmSync(template, { recursive: true, force: true });
}
