// What the fan-out e2e tests share: the workspace they build (five images in
// three levels, the CI script, a hidden build job for gitlab-ci-local's shell
// executor that notes when each job starts and ends) and gitlab-ci-local itself.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { BUILD_JOB, BUILD_JOB_FILE } from '../lib/fan-out.mjs';
import { ciScriptFiles } from './ci-job.ts';

const GITLAB_CI_LOCAL = resolve(import.meta.dirname, '../../../node_modules/.bin/gitlab-ci-local');

/** gitlab-ci-local with `args` in `cwd`; its exit code and its output (stdout and stderr as they came). */
export function gitlabCiLocal(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; log: string }> {
  return new Promise((done) => {
    const run = spawn(process.execPath, [GITLAB_CI_LOCAL, ...args], { cwd, env: { ...env, CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (chunk) => (out += chunk));
    run.stderr.on('data', (chunk) => (out += chunk));
    run.on('close', (status) => done({ code: status, log: out }));
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** An image FROM `from`, copying one file; its smoke run prints it. */
function image(dir: string, name: string, from: string): Record<string, string> {
  return {
    [`${dir}/${name}/package.json`]: json({
      name,
      version: '1.0.0',
      private: true,
      nx: { targets: { 'docker:run': { options: { command: ['cat', `/${name}.txt`] } } } },
    }),
    [`${dir}/${name}/Dockerfile`]: `FROM ${from}\nCOPY ${name}.txt /${name}.txt\n`,
    [`${dir}/${name}/${name}.txt`]: `${name} v1\n`,
  };
}

// Three levels: base; mid and solo FROM base; left and right FROM mid.
export const BASES: Record<string, string[]> = { base: [], mid: ['base'], solo: ['base'], left: ['mid'], right: ['mid'] };

export const WORKSPACE: Record<string, string> = {
  'package.json': json({ name: 'fan-out', private: true, workspaces: ['images/*', 'services/*'] }),
  'nx.json': json({ defaultBase: 'main', namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  ...image('images', 'base', 'debian:bookworm-slim'),
  ...image('images', 'mid', 'base'),
  ...image('services', 'solo', 'base'),
  ...image('services', 'left', 'mid'),
  ...image('services', 'right', 'mid'),
  // The repository's own hidden job needs a privileged runner with dind; this
  // one runs on gitlab-ci-local's shell executor against the engine of the
  // environment, and notes when each job starts and ends.
  [BUILD_JOB_FILE]: json({
    [BUILD_JOB]: {
      // The runner's npm ci: the template's packages, in this job's own copy of the clone.
      before_script: ['echo "start $(date +%s%N) $CI_JOB_NAME" >> "$EVENTS"', 'ln -s "$NODE_MODULES" node_modules'],
      after_script: ['echo "end $(date +%s%N) $CI_JOB_NAME" >> "$EVENTS"'],
    },
  }),
  ...ciScriptFiles(),
};
