// The CI templates of the repository, parsed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../..');
export const readTemplate = (path: string) => parse(readFileSync(resolve(ROOT, path), 'utf8'));

/** GitLab keywords that are not jobs. */
const GLOBAL_KEYS = new Set(['workflow', 'stages', 'variables', 'default', 'include']);

export interface GitLabJob {
  stage: string;
  script?: string[];
  trigger?: unknown;
  rules?: { if: string }[];
  needs?: string[];
  services?: { name: string; alias: string }[];
  variables?: Record<string, string>;
  artifacts?: { paths: string[] };
}

/** The jobs of .gitlab-ci.yml, by name. */
export function gitlabJobs(): Record<string, GitLabJob> {
  const config = readTemplate('.gitlab-ci.yml');
  return Object.fromEntries(Object.entries(config).filter(([key]) => !GLOBAL_KEYS.has(key))) as Record<string, GitLabJob>;
}

/** The run steps of a GitHub workflow's job that call the CI script. */
export function githubScriptLines(workflow: string, job: string): string[] {
  const steps = readTemplate(workflow).jobs[job].steps as { run?: string }[];
  return steps.filter((step) => step.run?.includes('tools/ci/ci.mjs')).map((step) => step.run!);
}
