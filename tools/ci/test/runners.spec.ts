// End to end (issue 16 item 2): the child pipeline's jobs spread over two
// runners, as GitLab would hand them out — each runner a clone of its own with
// an engine of its own, both sharing one registry and one cache server. A job
// goes to the next free runner once the jobs it needs have ended, whichever
// runner ran them; each runner runs its job with gitlab-ci-local (shell
// executor) and nothing else. Every image is built once, on the runner that
// took its job; the other runner only finds it in the registry.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheServer, type RunningCacheServer } from '../../../packages/cache-server/src/start.ts';
import { parseExports, runEngine, socketPath } from '../../engine/test/engine-cli.ts';
import { CHILD_PIPELINE } from '../lib/fan-out.mjs';
import { BASES, FanOutSetup, gitlabCiLocal, readJobEvents, variableArgs } from './fan-out-fixture.ts';

const TOKEN = 'runners-token';

interface Runner {
  name: string;
  dir: string;
  dockerHost: string;
  jobs: string[];
}

describe('two runners share the child pipeline, one registry and one cache server', () => {
  const setup = new FanOutSetup();
  let cache: RunningCacheServer;
  let engineB: string | undefined;

  beforeAll(async () => {
    await setup.start('runners');
    cache = await startCacheServer({
      storage: { kind: 'filesystem', directory: join(setup.scratch, 'cache') },
      token: TOKEN,
      logStream: { write: () => true },
    });
  });
  afterAll(async () => {
    await cache?.stop();
    if (engineB) await runEngine(['stop-engine', engineB, '--purge']);
    setup.dispose();
  });

  /** A runner: a clone of the workspace at HEAD with the child pipeline the plan wrote. */
  function runner(name: string, dockerHost: string): Runner {
    const dir = join(setup.scratch, name);
    execFileSync('git', ['clone', '-q', setup.ws.root, dir]);
    symlinkSync(join(setup.template, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(dirname(join(dir, CHILD_PIPELINE)), { recursive: true });
    copyFileSync(join(setup.ws.root, CHILD_PIPELINE), join(dir, CHILD_PIPELINE));
    return { name, dir, dockerHost, jobs: [] };
  }

  it('builds each image once, on the runner that took its job, after its bases; jobs wait only for what they need', async () => {
    const env = setup.pipelineEnv('401');
    const child = setup.plan(env);
    const jobs = Object.keys(child).filter((key) => key.startsWith('build '));

    engineB = `runner-b-${Date.now().toString(36)}`;
    const started = await runEngine(['start-engine', engineB, '--fresh']);
    expect(started.code, started.stderr).toBe(0);
    const runners = [runner('a', setup.engine.DOCKER_HOST), runner('b', parseExports(started.stdout).DOCKER_HOST)];

    // What GitLab's scheduler does for us: a job is handed to a free runner once every job it needs has ended.
    const events = join(setup.scratch, 'events');
    const variables = {
      ...setup.childVariables('401', events),
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
    };
    const logs = new Map<string, string>();
    const ended = new Set<string>();
    const pending = [...jobs];
    const running = new Map<Runner, Promise<Runner>>();
    const run = async (taken: Runner, job: string): Promise<Runner> => {
      const args = ['--file', CHILD_PIPELINE, '--shell-isolation', '--home', join(setup.scratch, `home-${taken.name}`), job];
      const { code, log } = await gitlabCiLocal(taken.dir, [...args, ...variableArgs({ ...variables, DOCKER_HOST: taken.dockerHost })], {
        ...env,
        DOCKER_HOST: taken.dockerHost,
      });
      expect(code, `${job} on runner ${taken.name}:\n${log}`).toBe(0);
      logs.set(job, log);
      ended.add(job);
      return taken;
    };
    while (pending.length || running.size) {
      for (const free of runners.filter((candidate) => !running.has(candidate))) {
        const next = pending.find((job) => (child[job].needs ?? []).every((need) => ended.has(need)));
        if (!next) break;
        pending.splice(pending.indexOf(next), 1);
        free.jobs.push(next);
        running.set(free, run(free, next));
      }
      const done = await Promise.race(running.values());
      running.delete(done);
    }

    // Each job ran once, on one runner, and both runners had work.
    expect(runners.flatMap((r) => r.jobs).sort()).toEqual([...jobs].sort());
    expect(runners.every((r) => r.jobs.length > 0)).toBe(true);
    const at = Object.fromEntries(readJobEvents(events).map((event) => [`${event.kind} ${event.job}`, event.at]));
    for (const [project, bases] of Object.entries(BASES)) {
      const log = logs.get(`build ${project}`)!;
      // Built by its own job, which only found its bases (built on either runner) in the registry.
      expect(log, project).not.toMatch(new RegExp(`/${project}:\\S+ is in the registry`));
      for (const base of bases) {
        expect(log, `${project}: ${base}`).toMatch(new RegExp(`/${base}:\\S+ is in the registry`));
        expect(at[`start build ${project}`] > at[`end build ${base}`], `${project} after ${base}`).toBe(true);
      }
      // The runner's engine has the image it built, and the other runner's engine has not.
      const [builder, other] = runners[0].jobs.includes(`build ${project}`) ? runners : [runners[1], runners[0]];
      const repository = `${setup.ws.env.IMAGEWISE_REGISTRY}/${project}`;
      expect(await taggedOn(builder.dockerHost, repository), `${project} on runner ${builder.name}`).toBe(true);
      expect(await taggedOn(other.dockerHost, repository), `${project} not on runner ${other.name}`).toBe(false);
    }
    // Both runners reached the shared cache server (none fell back to its local cache).
    for (const log of logs.values()) expect(log).not.toContain('uses the local cache only');
  });
});

/** Whether the engine at `dockerHost` holds a content tag of `repository`. */
async function taggedOn(dockerHost: string, repository: string): Promise<boolean> {
  const images = await new Docker({ socketPath: socketPath(dockerHost) }).listImages();
  return images.some((image) => (image.RepoTags ?? []).some((tag) => tag.startsWith(`${repository}:c-`)));
}
