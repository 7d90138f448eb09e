import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../image-reference/reference';
import { clearStagingTag, isStagingTag, newStagingTag, STAGING_PLACEHOLDER } from '../build/staging-tag';
import { DeleteRefusedError, RegistryClient } from './registry-client';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const ref = parseImageReference('127.0.0.1:5000/team/app');

/** A fetch answering by `METHOD path` (path without the query), recording each call. */
function fakeRegistry(answers: Record<string, (url: URL) => Response>) {
  const calls: string[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const key = `${init.method ?? 'GET'} ${url.pathname}`;
    calls.push(`${key}${url.search}`);
    const answer = answers[key];
    return answer ? answer(url) : new Response(null, { status: 599, statusText: `unexpected ${key}` });
  }) as typeof globalThis.fetch;
  return { client: new RegistryClient({ attempts: 1, fetch }), calls };
}

describe('RegistryClient.tags', () => {
  it('follows the Link header page by page', async () => {
    const { client, calls } = fakeRegistry({
      'GET /v2/team/app/tags/list': (url) =>
        url.searchParams.get('last')
          ? Response.json({ tags: ['c'] })
          : Response.json({ tags: ['a', 'b'] }, { headers: { Link: '</v2/team/app/tags/list?last=b&n=2>; rel="next"' } }),
    });
    await expect(client.tags(ref)).resolves.toEqual(['a', 'b', 'c']);
    expect(calls).toEqual(['GET /v2/team/app/tags/list?n=1000', 'GET /v2/team/app/tags/list?last=b&n=2']);
  });

  it('has none for a repository the registry does not know, or one whose tags are all gone (null)', async () => {
    expect(await fakeRegistry({ 'GET /v2/team/app/tags/list': () => new Response(null, { status: 404 }) }).client.tags(ref)).toEqual([]);
    expect(await fakeRegistry({ 'GET /v2/team/app/tags/list': () => Response.json({ tags: null }) }).client.tags(ref)).toEqual([]);
  });
});

describe('RegistryClient.deleteManifest', () => {
  it('deletes by digest (202), and calls a manifest already gone absent', async () => {
    expect(
      await fakeRegistry({ [`DELETE /v2/team/app/manifests/${DIGEST}`]: () => new Response(null, { status: 202 }) }).client.deleteManifest(ref, DIGEST),
    ).toBe('deleted');
    expect(
      await fakeRegistry({ [`DELETE /v2/team/app/manifests/${DIGEST}`]: () => new Response(null, { status: 404 }) }).client.deleteManifest(ref, DIGEST),
    ).toBe('absent');
  });

  it('says what to configure when deletes are disabled (405 UNSUPPORTED)', async () => {
    const { client } = fakeRegistry({
      [`DELETE /v2/team/app/manifests/${DIGEST}`]: () =>
        Response.json({ errors: [{ code: 'UNSUPPORTED' }] }, { status: 405, statusText: 'Method Not Allowed' }),
    });
    const error = await client.deleteManifest(ref, DIGEST).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DeleteRefusedError);
    expect((error as Error).message).toMatch(
      /registry 127\.0\.0\.1:5000 does not allow deletes \(405 Method Not Allowed \(UNSUPPORTED\)\).*REGISTRY_STORAGE_DELETE_ENABLED=true/,
    );
  });

  it('names missing delete permission on a 403', async () => {
    const { client } = fakeRegistry({ [`DELETE /v2/team/app/manifests/${DIGEST}`]: () => new Response(null, { status: 403, statusText: 'Forbidden' }) });
    await expect(client.deleteManifest(ref, DIGEST)).rejects.toThrow(/need delete permission/);
  });
});

describe('staging tags', () => {
  it('are new for every publish and valid tags, so two builds of one repository never share one', () => {
    const names = Array.from({ length: 50 }, newStagingTag);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^imagewise-staging-[0-9a-f]{8}$/);
  });

  it('are told apart from every other tag, the one tag earlier builds shared included', () => {
    expect([newStagingTag(), 'imagewise-staging'].every(isStagingTag)).toBe(true);
    expect(['imagewise-stagingx', 'latest', 'c-0123', 'staging', 'mr-imagewise-staging-1'].some(isStagingTag)).toBe(false);
  });
});

describe('clearStagingTag', () => {
  const STAGING_TAG = 'imagewise-staging-0a1b2c3d';
  const placeholderRoutes = (deleteAnswer: () => Response) => ({
    'POST /v2/team/app/blobs/uploads/': () => new Response(null, { status: 202, headers: { Location: '/v2/team/app/blobs/uploads/u1?_state=s' } }),
    'PUT /v2/team/app/blobs/uploads/u1': () => new Response(null, { status: 201 }),
    [`PUT /v2/team/app/manifests/${STAGING_TAG}`]: () => new Response(null, { status: 201, headers: { 'Docker-Content-Digest': DIGEST } }),
    [`DELETE /v2/team/app/manifests/${DIGEST}`]: deleteAnswer,
  });

  it('points the tag at the placeholder, then deletes the placeholder by digest: the image it named stays', async () => {
    const { client, calls } = fakeRegistry(placeholderRoutes(() => new Response(null, { status: 202 })));
    await expect(clearStagingTag(client, ref, STAGING_TAG)).resolves.toBeUndefined();
    expect(calls).toEqual([
      'POST /v2/team/app/blobs/uploads/',
      'PUT /v2/team/app/blobs/uploads/u1?_state=s&digest=sha256%3A44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      `PUT /v2/team/app/manifests/${STAGING_TAG}`,
      `DELETE /v2/team/app/manifests/${DIGEST}`,
    ]);
    expect(JSON.parse(STAGING_PLACEHOLDER.toString()).layers).toEqual([]);
  });

  it('is done when another runner deleted the placeholder first (404)', async () => {
    await expect(clearStagingTag(fakeRegistry(placeholderRoutes(() => new Response(null, { status: 404 }))).client, ref, STAGING_TAG)).resolves.toBeUndefined();
  });

  it('says why the tag stays when the registry refuses deletes, and does not throw', async () => {
    const { client } = fakeRegistry(placeholderRoutes(() => new Response(null, { status: 405 })));
    await expect(clearStagingTag(client, ref, STAGING_TAG)).resolves.toMatch(
      /imagewise-staging-0a1b2c3d tag stays in 127\.0\.0\.1:5000\/team\/app \(naming an empty placeholder, not the image\): .*REGISTRY_STORAGE_DELETE_ENABLED/,
    );
  });
});
