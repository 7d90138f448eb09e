// docker:prune against the real registry and engine from tools/engine: images
// built by docker:build, some made old through the Registry API (aged-images.ts);
// the dry run lists exactly what then goes, every protected tag still pulls,
// and a registry that refuses deletes loses nothing. No build leaves a tag of
// Imagewise's own (staging tags, imagewise-staging-…) behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEngine } from '../../../tools/engine/test/engine-cli';
import { isStagingTag } from '../src/build/staging-tag';
import { parseImageReference } from '../src/image-reference/reference';
import { RegistryClient } from '../src/registry/registry-client';
import { ageImage } from './aged-images';
import { startPrivateRegistry, type PrivateRegistry } from './private-registry';
import { Workspace, sharedTemplate } from './workspace';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const registry = new RegistryClient({ attempts: 2 });

/** `keep`/`remove` lines of a prune's output, as tag → action. */
function listing(output: string): Record<string, 'keep' | 'remove'> {
  // Nx's stream style may put the task's name before each line.
  return Object.fromEntries([...output.matchAll(/^.*?\s(keep|remove)\s+(\S+)\s+sha256:/gm)].map((m) => [m[2], m[1] as 'keep' | 'remove']));
}

/** Every tag of the repository with the digest it names. */
async function tagDigests(repository: string): Promise<Record<string, string>> {
  const reference = parseImageReference(repository);
  const tags: Record<string, string> = {};
  for (const tag of await registry.tags(reference)) tags[tag] = (await registry.manifestDigest({ ...reference, tag }))!;
  return tags;
}

describe('docker:prune with a real registry', () => {
  let template: string;
  let ws: Workspace;
  let env: Record<string, string>;
  let repository: string;
  let sha: () => string;
  const aged: Record<string, string> = {};
  let before: Record<string, string>;
  let dryRun: string;

  const build = (more: Record<string, string> = {}) => {
    ws.env = { ...ws.env, ...more };
    const output = ws.run('run', 'app:docker:build', '--outputStyle=stream').stdout;
    for (const name of Object.keys(more)) delete ws.env[name];
    return output;
  };
  const commit = (text: string) => {
    ws.write({ 'services/app/build.txt': `${text}\n` });
    ws.git('commit', '-q', '-am', text);
  };

  beforeAll(async () => {
    env = await startSharedEngine();
    const namespace = `${env.IMAGEWISE_REGISTRY}/prune-${Date.now().toString(36)}`;
    repository = `${namespace}/app`;
    template = sharedTemplate();
    ws = new Workspace(template, {
      'package.json': json({ name: 'prunes', private: true, workspaces: ['services/*'] }),
      'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
      'services/app/package.json': json({ name: 'app', version: '1.0.0', private: true }),
      'services/app/Dockerfile': 'FROM debian:bookworm-slim\nCOPY build.txt /build.txt\n',
      'services/app/build.txt': 'build 1\n',
    });
    ws.env = { ...env, IMAGEWISE_REGISTRY: namespace };
    ws.run('run', 'app:docker:lock');
    ws.commit('lock');
    sha = () => ws.git('rev-parse', 'HEAD').trim().slice(0, 8);
  });
  afterAll(() => {
    ws?.dispose();
  });

  it('builds three versions and leaves no staging tag behind', async () => {
    // Release 1.0.0 on the default branch, now 60 days old; mr-5 came to the same image later.
    build();
    aged.release = await ageImage(repository, 'latest', 60, ['c-release', '1.0.0', sha(), 'mr-5']);
    expect(Object.keys(await tagDigests(repository)).filter(isStagingTag)).toEqual([]);

    // A merge request's image (young), and older ones made from it: deployed, protected by pattern, and plain old.
    ws.write({ 'services/app/package.json': json({ name: 'app', private: true }) });
    commit('build 2');
    build({ CI_MERGE_REQUEST_IID: '11' });
    aged.deployed = await ageImage(repository, 'mr-11', 50, ['mr-9']);
    aged.pattern = await ageImage(repository, 'mr-11', 40, ['mr-8', 'keep-1']);
    aged.old30 = await ageImage(repository, 'mr-11', 30, ['mr-7', '0a1b2c3d']);
    aged.old20 = await ageImage(repository, 'mr-11', 20, ['mr-6']);
    aged.young = await ageImage(repository, 'mr-11', 1, ['mr-12']);
    ws.write({
      'dist/deploy/manifest.json': json({
        images: [{ project: 'app', image: repository, digest: aged.deployed, reference: `${repository}@${aged.deployed}` }],
      }),
    });

    // The default branch's newest image: latest.
    commit('build 3');
    build();
    before = await tagDigests(repository);
    expect(Object.keys(before).filter(isStagingTag)).toEqual([]);
    expect(before.latest).not.toBe(before['mr-11']);
  });

  it('dryRun lists every tag, kept or removed with its reason, and deletes nothing', async () => {
    const started = Date.now();
    dryRun = ws.run('run', 'app:docker:prune', '--olderThan=14d', '--keep=2', '--protect=keep-*', '--dryRun', '--outputStyle=stream').stdout;
    console.log(`prune dry run: ${Date.now() - started} ms\n${dryRun}`);
    const removed = Object.entries(listing(dryRun))
      .filter(([, action]) => action === 'remove')
      .map(([tag]) => tag)
      .sort();
    expect(removed).toEqual(['0a1b2c3d', 'mr-6', 'mr-7']);
    expect(Object.keys(listing(dryRun)).sort()).toEqual(Object.keys(before).sort());
    expect(dryRun).toMatch(/keep\s+latest\s+sha256:\w+\s+protected: latest/);
    expect(dryRun).toMatch(/keep\s+1\.0\.0\s+sha256:\w+\s+protected: release version/);
    expect(dryRun).toMatch(/keep\s+mr-5\s+sha256:\w+\s+shares its digest with 1\.0\.0/);
    expect(dryRun).toMatch(/keep\s+mr-9\s+sha256:\w+\s+protected: deployed \(the digest is in dist\/deploy\/manifest\.json\)/);
    expect(dryRun).toMatch(/keep\s+keep-1\s+sha256:\w+\s+protected: matches "keep-\*"/);
    expect(dryRun).toMatch(/keep\s+mr-8\s+sha256:\w+\s+shares its digest with keep-1/);
    expect(dryRun).toMatch(/keep\s+mr-11\s+sha256:\w+\s+among the newest 2 images \(#2\)/);
    expect(dryRun).toMatch(/keep\s+mr-12\s+sha256:\w+\s+created 1d ago, younger than 14d/);
    expect(dryRun).toMatch(/remove\s+mr-6\s+sha256:\w+\s+created 20d ago, older than 14d and not among the newest 2/);
    expect(dryRun).toMatch(/dry run: would delete 2 manifest\(s\) by digest, 3 tag\(s\); the registry can then reclaim up to .* bytes\) by garbage collection/);
    expect(await tagDigests(repository)).toEqual(before);
  });

  it('for real, removes exactly what the dry run listed; every other tag still pulls', async () => {
    const started = Date.now();
    const output = ws.run('run', 'app:docker:prune', '--olderThan=14d', '--keep=2', '--protect=keep-*', '--outputStyle=stream').stdout;
    console.log(`prune: ${Date.now() - started} ms`);
    expect(output).toMatch(/removed 3 tag\(s\) from .*: (?=.*0a1b2c3d)(?=.*mr-6)(?=.*mr-7)/);
    expect(output).toMatch(/the registry can reclaim up to .* once its garbage collection runs/);
    const after = await tagDigests(repository);
    const expected = Object.fromEntries(Object.entries(before).filter(([tag]) => listing(dryRun)[tag] === 'keep'));
    expect(after).toEqual(expected);
    const reference = parseImageReference(repository);
    for (const [tag, digest] of Object.entries(after)) expect(await registry.missingBlobs(reference, digest), tag).toEqual([]);
    for (const gone of [aged.old20, aged.old30]) await expect(registry.getManifest(reference, gone)).rejects.toThrow(/404/);
  });

  describe('on a registry that refuses deletes', () => {
    let refusing: PrivateRegistry;
    beforeAll(async () => {
      refusing = await startPrivateRegistry('ci-runner', { deletes: false });
    });
    afterAll(async () => {
      await refusing?.stop();
    });

    it('says what to configure and deletes nothing', async () => {
      const namespace = `${refusing.host}/team`;
      const output = build({ IMAGEWISE_REGISTRY: namespace, DOCKER_CONFIG: refusing.dockerConfig });
      // The build cannot delete its staging tag there: it says so, and the tag names only the placeholder.
      expect(output).toMatch(
        /the imagewise-staging-[0-9a-f]{8} tag stays in .*team\/app \(naming an empty placeholder, not the image\): registry .* does not allow deletes/,
      );
      const otherRegistry = new RegistryClient({ credentials: () => ({ username: refusing.user, password: refusing.password, serveraddress: refusing.host }) });
      const reference = parseImageReference(`${namespace}/app`);
      const tags = async () =>
        Object.fromEntries(
          await Promise.all((await otherRegistry.tags(reference)).map(async (tag) => [tag, await otherRegistry.manifestDigest({ ...reference, tag })])),
        );
      const held = await tags();
      const staging = Object.keys(held).filter(isStagingTag);
      expect(staging).toHaveLength(1);
      expect(held[staging[0]]).not.toBe(held.latest);

      ws.env = { ...ws.env, IMAGEWISE_REGISTRY: namespace, DOCKER_CONFIG: refusing.dockerConfig };
      let failure = '';
      try {
        ws.run('run', 'app:docker:prune', '--olderThan=0m', '--keep=0', '--outputStyle=stream');
      } catch (error) {
        failure = (error as Error).message;
      } finally {
        ws.env = { ...env, IMAGEWISE_REGISTRY: ws.env.IMAGEWISE_REGISTRY };
      }
      expect(failure).toMatch(/remove\s+imagewise-staging-[0-9a-f]{8}\s+sha256:\w+\s+Imagewise's leftover staging tag/);
      expect(failure).toMatch(
        /registry 127\.0\.0\.1:\d+ does not allow deletes \(405 Method Not Allowed \(UNSUPPORTED\)\): enable them .*REGISTRY_STORAGE_DELETE_ENABLED=true.*Nothing was deleted from 127\.0\.0\.1:\d+\/team\/app/,
      );
      expect(failure).not.toContain(refusing.password);
      expect(await tags()).toEqual(held);
    });
  });
});
