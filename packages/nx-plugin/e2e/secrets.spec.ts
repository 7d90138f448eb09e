// Build secrets and planted credentials, on the real engine, a password-protected
// registry and real Nx runs: a step reads a secret through BuildKit's session
// (the image keeps only its hash), and no planted secret — the build secrets,
// a token in the git origin URL, the registry password — is in the image's
// config, history, labels or layers, in metadata.json, or in anything Nx
// printed or wrote. A missing secret and the classic builder are refused
// before anything is built or tagged.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketPath, startSharedEngine } from '../../../tools/engine/test/engine-cli';
import type { ImageMetadata } from '../src/build/image-metadata';
import { startPrivateRegistry, type PrivateRegistry } from './private-registry';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const planted = (what: string) => `${what}-PLANTED-${randomBytes(10).toString('hex')}`;
const NPM_TOKEN = planted('npm');
const NPM_TOKEN_ROTATED = planted('npm-rotated');
const PIP_PASSWORD = planted('pip');
const ORIGIN_TOKEN = planted('glcbt');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const PIP_CONF = `[global]\nindex-url = https://pypi-user:${PIP_PASSWORD}@pypi.example.com/simple\n`;

const SECRETS = { npm_token: { env: 'NPM_TOKEN' }, pip_conf: { file: '.secrets/pip.conf' } };
const appProject = (options: Record<string, unknown> = {}) =>
  json({ name: 'app', targets: { 'docker:build': { options: { secrets: SECRETS, buildArgs: { NPM_AUTH_MODE: 'legacy' }, ...options } } } });

const FILES: Record<string, string> = {
  '.gitignore': 'node_modules\n.nx\n.nx-stdout\ndist\n.secrets\n',
  'package.json': json({ name: 'secrets', private: true, workspaces: ['images/*', 'services/*'] }),
  'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  'images/base/package.json': json({ name: 'base', version: '1.0.0', private: true }),
  'images/base/Dockerfile': 'FROM debian:bookworm-slim\nCOPY base.txt /base.txt\n',
  // New each run: BuildKit caches a step that mounts a secret by its command, not the
  // secret's value, so only a base it has not seen makes the steps read this run's secrets.
  'images/base/base.txt': `base ${randomBytes(8).toString('hex')}\n`,
  // On a base in the private registry: the session answers Auth and Secrets in one build.
  'services/app/project.json': appProject(),
  'services/app/Dockerfile': [
    'FROM base',
    'ARG NPM_AUTH_MODE',
    // What the steps read is only hashed into the image, so a test can tell they had it.
    'RUN --mount=type=secret,id=npm_token sha256sum /run/secrets/npm_token | cut -d" " -f1 > /npm_token.sha256',
    'RUN --mount=type=secret,id=pip_conf sha256sum /run/secrets/pip_conf | cut -d" " -f1 > /pip_conf.sha256',
    '',
  ].join('\n'),
  // Outside every build context, and git-ignored.
  '.secrets/pip.conf': PIP_CONF,
};

/** Every file under `dir`, skipping the paths `skip` matches; paths relative to `dir`. */
function filesUnder(dir: string, skip: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .filter((path) => !skip.test(path));
}

describe('build secrets and planted credentials', () => {
  let template: string;
  let registry: PrivateRegistry;
  let ws: Workspace;
  let docker: Docker;
  let repository: string;
  let plantedSecrets: string[];

  const metadata = (project: string): ImageMetadata => JSON.parse(readFileSync(join(ws.root, 'dist/images', project, 'metadata.json'), 'utf8'));
  /** An nx run's whole terminal output, and whether it succeeded. */
  const build = (): { ok: boolean; output: string } => {
    try {
      const { stdout, stderr } = ws.run('run-many', '-t', 'docker:build', '--outputStyle=stream');
      return { ok: true, output: `${stdout}\n${stderr}` };
    } catch (error) {
      return { ok: false, output: (error as Error).message };
    }
  };
  const expectNoPlantedSecret = (where: string, text: string | Buffer) => {
    for (const secret of plantedSecrets) expect(text.includes(secret), `${where} holds a planted secret`).toBe(false);
  };
  /** The app repository's tags, in the registry and in the engine. */
  const appTags = async () => {
    const auth = Buffer.from(`${registry.user}:${registry.password}`).toString('base64');
    const response = await fetch(`http://${registry.host}/v2/${repository.slice(registry.host.length + 1)}/app/tags/list`, {
      headers: { Authorization: `Basic ${auth}` },
    });
    const listed = response.status === 404 ? [] : (((await response.json()) as { tags?: string[] }).tags ?? []);
    const local = (await docker.listImages({ filters: { reference: [`${repository}/app`] } })).flatMap((image) => image.RepoTags ?? []);
    return { registry: [...listed].sort(), local: [...local].sort() };
  };

  beforeAll(async () => {
    const env = await startSharedEngine();
    registry = await startPrivateRegistry();
    plantedSecrets = [NPM_TOKEN, NPM_TOKEN_ROTATED, PIP_PASSWORD, ORIGIN_TOKEN, registry.password];
    template = sharedTemplate();
    ws = new Workspace(template, FILES);
    repository = `${registry.host}/secrets-${Date.now().toString(36)}`;
    ws.env = { ...env, IMAGEWISE_REGISTRY: repository, DOCKER_CONFIG: registry.dockerConfig, NPM_TOKEN };
    docker = new Docker({ socketPath: socketPath(env.DOCKER_HOST) });
    ws.git('remote', 'add', 'origin', `https://gitlab-ci-token:${ORIGIN_TOKEN}@gitlab.example.com/acme/app.git`);
    ws.run('run-many', '-t', 'docker:lock');
    ws.commit('locks');
  });

  afterAll(async () => {
    ws?.dispose();
    await registry?.stop();
  });

  it('hands the secrets to the steps that mount them, and no planted secret reaches the image, its records or the output', async () => {
    const { ok, output } = build();
    expect(ok, output).toBe(true);
    const app = metadata('app');
    expect(app).toMatchObject({ reused: false, image: `${repository}/app` });
    expect(metadata('base')).toMatchObject({ reused: false, image: `${repository}/base` });
    // A build arg named like a secret is warned about, by name, pointing to the option.
    expect(output).toMatch(/app: warning: build arg NPM_AUTH_MODE looks like a secret; .*docker:build's "secrets" option/);

    const image = docker.getImage(app.imageId!);
    const saved = await new Promise<Buffer>((resolve, reject) => {
      image.get((error: Error | null, stream?: NodeJS.ReadableStream) => {
        if (error || !stream) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
      });
    });
    // The steps had the secrets: their hashes are in the layers (docker save: uncompressed tars).
    expect(saved.includes(sha256(NPM_TOKEN))).toBe(true);
    expect(saved.includes(sha256(PIP_CONF))).toBe(true);

    const inspected = await image.inspect();
    expect(inspected.Config.Labels['org.opencontainers.image.source']).toBe('https://gitlab.example.com/acme/app.git');
    expectNoPlantedSecret('the image layers (docker save)', saved);
    expectNoPlantedSecret('the image config', JSON.stringify(inspected));
    expectNoPlantedSecret('the image history', JSON.stringify(await image.history()));
    expectNoPlantedSecret("Nx's terminal output and the build logs", output);
    // Every file the runs wrote: metadata.json, Nx's task outputs and workspace data.
    const written = filesUnder(ws.root, /^(?:\.git|\.secrets|node_modules)\//);
    expect(written).toEqual(expect.arrayContaining(['dist/images/app/metadata.json', 'dist/images/base/metadata.json', '.nx-stdout']));
    for (const path of written) expectNoPlantedSecret(path, readFileSync(join(ws.root, path)));
    expectNoPlantedSecret('the registry log', registry.log());
  });

  it("rebuilds nothing when a secret's value rotates: the content tag takes its id and source, not its value", () => {
    const before = metadata('app');
    ws.env.NPM_TOKEN = NPM_TOKEN_ROTATED;
    try {
      const { ok, output } = build();
      expect(ok, output).toBe(true);
      expect(metadata('app')).toMatchObject({ reused: true, contentIdentity: before.contentIdentity, digest: before.digest });
      expectNoPlantedSecret('the output of a reusing run', output);
    } finally {
      ws.env.NPM_TOKEN = NPM_TOKEN;
    }
  });

  it('rebuilds when a secret is added, and reuses with none needed when nothing changed', () => {
    const before = metadata('app');
    ws.write({ 'services/app/project.json': appProject({ secrets: { ...SECRETS, extra: { env: 'NPM_TOKEN' } } }) });
    try {
      const { ok, output } = build();
      expect(ok, output).toBe(true);
      expect(metadata('app').reused).toBe(false);
      expect(metadata('app').contentIdentity).not.toBe(before.contentIdentity);
    } finally {
      ws.reset();
    }
    // Back as it was: the registry holds it, so no secret is read, even with none set.
    const { NPM_TOKEN: _unset, ...withoutToken } = ws.env;
    const saved = ws.env;
    ws.env = withoutToken;
    try {
      const { ok, output } = build();
      expect(ok, output).toBe(true);
      expect(metadata('app')).toMatchObject({ reused: true, contentIdentity: before.contentIdentity });
    } finally {
      ws.env = saved;
    }
  });

  it('fails before building when a secret is missing, naming it, its source and what to do; no tag is made', async () => {
    const tags = await appTags();
    ws.write({ 'services/app/notes.txt': 'a change that needs a build\n' });
    const { NPM_TOKEN: _unset, ...withoutToken } = ws.env;
    const saved = ws.env;
    ws.env = withoutToken;
    try {
      const { ok, output } = build();
      expect(ok).toBe(false);
      expect(output).toContain(
        'secret "npm_token" comes from environment variable NPM_TOKEN, which is not set; set NPM_TOKEN for this run (in CI, a masked variable) ' +
          `or change the source of "npm_token" in docker:build's "secrets" option`,
      );
      expectNoPlantedSecret('the output of a failed run', output);
      expect(await appTags()).toEqual(tags);
    } finally {
      ws.env = saved;
      ws.reset();
    }
  });

  it('refuses the classic builder with secrets, before building or tagging anything', async () => {
    const tags = await appTags();
    ws.write({ 'services/app/project.json': appProject({ builder: 'classic' }) });
    try {
      const { ok, output } = build();
      expect(ok).toBe(false);
      expect(output).toContain(
        'the classic builder cannot take secrets (npm_token, pip_conf), and docker:build option "builder" is "classic"; ' +
          'remove "builder": "classic" so BuildKit builds this image, or remove the "secrets" option',
      );
      expectNoPlantedSecret('the output of a refused run', output);
      expect(await appTags()).toEqual(tags);
    } finally {
      ws.reset();
    }
  });
});
