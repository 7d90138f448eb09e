// A private registry (distribution behind htpasswd), as every real one is: a
// second runner, on a fresh engine that holds no base, builds a service on a
// base that sits there, by digest. The plugin's registry client logs in, and
// the engine's build (BuildKit and classic) gets the credentials to pull the
// base; the password shows up nowhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExports, runEngine, socketPath, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { startPrivateRegistry, type PrivateRegistry } from './private-registry';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const files = (builder: 'buildkit' | 'classic', greeting: string): Record<string, string> => {
  const options = builder === 'classic' ? { targets: { 'docker:build': { options: { builder: 'classic' } } } } : {};
  return {
    'package.json': json({ name: 'private-bases', private: true, workspaces: ['images/*', 'services/*'] }),
    'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
    'images/private-base/package.json': json({ name: 'private-base', version: '1.0.0', private: true }),
    'images/private-base/project.json': json({ name: 'private-base', ...options }),
    'images/private-base/Dockerfile': 'FROM debian:bookworm-slim\nCOPY base.txt /base.txt\n',
    'images/private-base/base.txt': `private base for ${builder}\n`,
    'services/greeter/project.json': json({ name: 'greeter', ...options }),
    'services/greeter/Dockerfile': 'FROM private-base\nCOPY greeting.txt /greeting.txt\n',
    'services/greeter/greeting.txt': `${greeting}\n`,
  };
};

describe('docker:build on a base in a password-protected registry', () => {
  let env: Record<string, string>;
  let template: string;
  let registry: PrivateRegistry;
  const engines: string[] = [];
  const workspaces: Workspace[] = [];

  beforeAll(async () => {
    env = await startSharedEngine();
    registry = await startPrivateRegistry();
    template = sharedTemplate();
  });

  afterAll(async () => {
    for (const ws of workspaces) ws.dispose();
    for (const name of engines) await runEngine(['stop-engine', name, '--purge']);
    await registry?.stop();
  });

  for (const builder of ['buildkit', 'classic'] as const) {
    it(`a second runner on a fresh engine builds a service on the private base by digest (${builder})`, async () => {
      const repository = `${registry.host}/${builder}-${Date.now().toString(36)}`;
      const runnerEnv = { ...env, IMAGEWISE_REGISTRY: repository, DOCKER_CONFIG: registry.dockerConfig };
      const metadata = (ws: Workspace, project: string): ImageMetadata =>
        JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
      const build = (ws: Workspace) => {
        const { stdout, stderr } = ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
        expect(stdout + stderr).not.toContain(registry.password);
        return stdout;
      };

      // Runner A, on the shared engine: the base and the service, pushed to the private registry.
      const a = new Workspace(template, files(builder, 'hello'));
      workspaces.push(a);
      a.env = runnerEnv;
      a.run('run-many', '-t', 'docker:lock');
      build(a);
      const base = metadata(a, 'private-base');
      expect(base).toMatchObject({ reused: false, image: `${repository}/private-base` });
      expect(base.digest).toMatch(/^sha256:/);
      const baseReference = `${repository}/private-base@${base.digest}`;

      // Runner B, on an engine that holds nothing: only the service changed.
      const engine = `private-${builder}-${Date.now().toString(36)}`;
      engines.push(engine);
      const started = await runEngine(['start-engine', engine, '--fresh']);
      expect(started.code, started.stderr).toBe(0);
      const b = new Workspace(template, files(builder, 'hello again'));
      workspaces.push(b);
      b.env = { ...runnerEnv, DOCKER_HOST: parseExports(started.stdout).DOCKER_HOST };
      const docker = new Docker({ socketPath: socketPath(b.env.DOCKER_HOST) });
      expect(await docker.listImages()).toEqual([]);
      b.run('run-many', '-t', 'docker:lock');
      build(b);

      // The base came from the registry as it was; the service was built on it, by digest.
      expect(metadata(b, 'private-base')).toMatchObject({ reused: true, digest: base.digest });
      const service = metadata(b, 'greeter');
      expect(service.reused).toBe(false);
      expect(service.baseImages).toEqual({ 'private-base': baseReference });
      expect(service.digest).toMatch(/^sha256:/);
      const image = await docker.getImage(service.imageId!).inspect();
      expect(JSON.parse(image.Config.Labels['dev.imagewise.base-images'])).toEqual({ 'private-base': baseReference });
      // The classic builder pulls the base into the engine's image store; BuildKit into its cache.
      if (builder === 'classic') {
        const pulled = (await docker.listImages()).flatMap((listed) => listed.RepoDigests ?? []);
        expect(pulled).toContain(baseReference);
      }

      // The password is in no record of either run.
      for (const ws of [a, b]) {
        for (const project of ['private-base', 'greeter']) {
          expect(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8')).not.toContain(registry.password);
        }
      }
      const history = await docker.getImage(service.imageId!).history();
      expect(JSON.stringify(image) + JSON.stringify(history)).not.toContain(registry.password);
      expect(registry.log()).not.toContain(registry.password);
    });
  }
});
