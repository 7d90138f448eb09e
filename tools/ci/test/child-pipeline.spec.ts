// End to end: the build stage fanned out as GitLab would run it. The template's
// `plan builds` line writes the child pipeline; gitlab-ci-local (a GitLab
// runner emulator; it does not follow `trigger:`, so it runs the generated file
// with --file) runs it with its shell executor, two jobs at a time, each in a
// copy of the clone of its own (--shell-isolation, which needs rsync), on the
// real engine and registry. The shell executor: the repository's hidden job
// asks for a privileged docker:dind service, which this machine's engine is not.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_PIPELINE } from '../lib/fan-out.mjs';
import { BASES, FanOutSetup, gitlabCiLocal, readJobEvents, variableArgs, type ChildPipeline, type JobEvent } from './fan-out-fixture.ts';
import { gitlabJobs } from './templates.ts';

describe('the build stage as a child pipeline, run by gitlab-ci-local', () => {
  const setup = new FanOutSetup();
  beforeAll(() => setup.start('fan-out'));
  afterAll(() => setup.dispose());

  /** `plan builds` as the template says, then its child pipeline by gitlab-ci-local; the events of its jobs. */
  async function pipeline(id: string, extra: Record<string, string> = {}): Promise<{ child: ChildPipeline; events: JobEvent[]; log: string }> {
    const env = setup.pipelineEnv(id, extra);
    const child = setup.plan(env);
    const events = join(setup.scratch, `events-${id}`);
    const args = [
      '--file',
      CHILD_PIPELINE,
      '--shell-isolation',
      '--concurrency',
      '2',
      '--home',
      setup.scratch,
      ...variableArgs(setup.childVariables(id, events)),
    ];
    const { code, log } = await gitlabCiLocal(setup.ws.root, args, env);
    expect(code, log).toBe(0);
    writeFileSync(join(setup.scratch, `log-${id}`), log);
    return { child, events: readJobEvents(events), log };
  }

  it('builds every image once, each after the jobs of its bases, the jobs of one level side by side', async () => {
    const { child, events, log } = await pipeline('301');
    const jobOf = (project: string) => `build ${project}`;
    expect(Object.keys(child).filter((key) => key.startsWith('build '))).toEqual(['base', 'mid', 'solo', 'left', 'right'].map(jobOf));
    const time = (kind: JobEvent['kind'], job: string) => events.find((event) => event.kind === kind && event.job === job)!.at;

    for (const [project, bases] of Object.entries(BASES)) {
      expect(child[jobOf(project)].needs).toEqual(bases.map(jobOf));
      // Ran once; started after every base's job ended.
      expect(events.filter((event) => event.job === jobOf(project)).map((event) => event.kind)).toEqual(['start', 'end']);
      for (const base of bases) expect(time('start', jobOf(project)) > time('end', jobOf(base)), `${project} after ${base}`).toBe(true);
    }
    // One level's jobs overlap: each started before the other ended.
    for (const [a, b] of [
      ['mid', 'solo'],
      ['left', 'right'],
    ]) {
      expect(time('start', jobOf(a)) < time('end', jobOf(b)) && time('start', jobOf(b)) < time('end', jobOf(a)), `${a} beside ${b}`).toBe(true);
    }
    // Each job built its own image and only found its bases in the registry; each smoke run printed its file.
    for (const [project, bases] of Object.entries(BASES)) {
      const jobLog = log
        .split('\n')
        .filter((line) => line.startsWith(`${jobOf(project)} `))
        .join('\n');
      expect(jobLog, project).toContain(`${project} v1`);
      expect(jobLog, project).not.toMatch(new RegExp(`/${project}:\\S+ is in the registry`));
      for (const base of bases) expect(jobLog, `${project}: ${base}`).toMatch(new RegExp(`/${base}:\\S+ is in the registry`));
    }
  });

  it('deploys from the parent pipeline, which cannot read the child jobs’ records: the registry has every image, no engine asked', () => {
    const env = { ...setup.pipelineEnv('301'), DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    for (const line of gitlabJobs().deploy.script!) execFileSync('bash', ['-ec', line], { cwd: setup.ws.root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const manifest = JSON.parse(readFileSync(join(setup.ws.root, 'dist/deploy/manifest.json'), 'utf8'));
    const images = manifest.images as { project: string; reused: boolean }[];
    expect(images.map((entry) => [entry.project, entry.reused]).sort()).toEqual(
      Object.keys(BASES)
        .sort()
        .map((project) => [project, true]),
    );
  });

  it('leaves the bases a change does not touch to the registry: only the affected images get jobs', async () => {
    const green = setup.ws.git('rev-parse', 'HEAD').trim();
    setup.ws.write({ 'images/mid/mid.txt': 'mid v2\n' });
    setup.ws.git('commit', '-qam', 'mid v2');
    // NX_BASE: the last green commit, as the script would find it through GitLab's API.
    const { child, log } = await pipeline('302', { NX_BASE: green });
    expect(Object.keys(child).filter((key) => key.startsWith('build '))).toEqual(['build mid', 'build left', 'build right']);
    expect(child['build mid'].needs).toEqual([]);
    expect(child['build left'].needs).toEqual(['build mid']);
    expect(log).toContain('mid v2');
  });
});
