import { describe, expect, it } from 'vitest';
import type { WorkspaceImage } from '../graph/workspace-images';
import { analyseDockerfile } from '../dockerfile/analyse';
import { baseImageUses, pulledRegistryHosts } from './base-images';

const DIGEST = `sha256:${'b'.repeat(64)}`;

const IMAGES: WorkspaceImage[] = [
  { project: 'node-base', imageName: 'node-base', version: '1.2.0', dockerfile: 'images/node-base/Dockerfile' },
  { project: 'tools', imageName: 'acme/tools', dockerfile: 'images/tools/Dockerfile' },
];

const uses = (lines: string[], buildArgs: Record<string, string> = {}, registries: string[] = ['registry.example.com/acme']) =>
  baseImageUses(analyseDockerfile(lines.join('\n'), buildArgs), IMAGES, registries);

describe('baseImageUses', () => {
  it('gives the workspace project for a workspace image at latest, without a tag, or at its version', () => {
    expect(uses(['FROM node-base:latest'])).toEqual([{ line: 1, kind: 'from', raw: 'node-base:latest', project: 'node-base' }]);
    expect(uses(['FROM node-base'])).toEqual([{ line: 1, kind: 'from', raw: 'node-base', project: 'node-base' }]);
    expect(uses(['FROM node-base:1.2.0'])).toEqual([{ line: 1, kind: 'from', raw: 'node-base:1.2.0', project: 'node-base' }]);
    expect(uses(['FROM registry.example.com/acme/node-base:1.2.0'])).toEqual([
      { line: 1, kind: 'from', raw: 'registry.example.com/acme/node-base:1.2.0', project: 'node-base' },
    ]);
  });

  it('gives the project and the pin for a release of a workspace image', () => {
    expect(uses(['FROM node-base:1.1.0'])).toEqual([{ line: 1, kind: 'from', raw: 'node-base:1.1.0', pinned: 'node-base', pin: '1.1.0' }]);
    expect(uses([`FROM node-base@${DIGEST}`])).toEqual([{ line: 1, kind: 'from', raw: `node-base@${DIGEST}`, pinned: 'node-base', pin: DIGEST }]);
  });

  it('gives the normalised upstream reference for an upstream image without a digest', () => {
    expect(uses(['FROM node:22-bookworm-slim'])).toEqual([
      { line: 1, kind: 'from', raw: 'node:22-bookworm-slim', upstream: 'docker.io/library/node:22-bookworm-slim' },
    ]);
    expect(uses(['FROM ghcr.io/acme/runtime'])).toEqual([{ line: 1, kind: 'from', raw: 'ghcr.io/acme/runtime', upstream: 'ghcr.io/acme/runtime' }]);
  });

  it('gives nothing for an upstream image written with its digest', () => {
    expect(uses([`FROM node:22@${DIGEST}`, `COPY --from=python@${DIGEST} /x /x`])).toEqual([]);
  });

  it('gives nothing for stage names and scratch, and finds COPY --from and RUN --mount images on their lines', () => {
    const result = uses([
      'FROM node-base AS build', // 1
      'RUN make', // 2
      'FROM scratch AS empty', // 3
      'FROM alpine:3.20', // 4
      'COPY --from=build /out /app', // 5
      'COPY --from=acme/tools /bin/tool /bin/tool', // 6
      'RUN --mount=type=bind,from=busybox:1.36,target=/bb ls /bb', // 7
      'COPY --from=empty / /', // 8
    ]);
    expect(result).toEqual([
      { line: 1, kind: 'from', raw: 'node-base', project: 'node-base' },
      { line: 4, kind: 'from', raw: 'alpine:3.20', upstream: 'docker.io/library/alpine:3.20' },
      { line: 6, kind: 'copy-from', raw: 'acme/tools', project: 'tools' },
      { line: 7, kind: 'mount-from', raw: 'busybox:1.36', upstream: 'docker.io/library/busybox:1.36' },
    ]);
  });

  it('matches a workspace image under a registry an ARG names, whatever its value', () => {
    const lines = ['ARG REGISTRY=registry.example.com/acme', 'ARG TAG=latest', 'FROM ${REGISTRY}/node-base:${TAG}'];
    expect(uses(lines)).toEqual([{ line: 3, kind: 'from', raw: '${REGISTRY}/node-base:${TAG}', project: 'node-base' }]);
    expect(uses(lines, { REGISTRY: 'localhost:5000/ci' }, [])).toEqual([{ line: 3, kind: 'from', raw: '${REGISTRY}/node-base:${TAG}', project: 'node-base' }]);
    expect(uses(lines, { TAG: '0.9.0' })).toEqual([{ line: 3, kind: 'from', raw: '${REGISTRY}/node-base:${TAG}', pinned: 'node-base', pin: '0.9.0' }]);
  });

  it('gives an upstream image whose registry an ARG names as upstream, substituted', () => {
    expect(uses(['ARG MIRROR=mirror.example.com', 'FROM ${MIRROR}/library/node:22'])).toEqual([
      { line: 2, kind: 'from', raw: '${MIRROR}/library/node:22', upstream: 'mirror.example.com/library/node:22' },
    ]);
  });

  it('skips an image whose ARG has no value', () => {
    expect(uses(['ARG REGISTRY', 'FROM ${REGISTRY}/node-base'])).toEqual([]);
  });
});

describe('pulledRegistryHosts', () => {
  const hosts = (lines: string[], baseImages: Record<string, string> = {}, buildArgs: Record<string, string> = {}) =>
    pulledRegistryHosts(analyseDockerfile(lines.join('\n'), buildArgs), baseImages);

  it('gives the hosts of the exact base references, not of the names as written', () => {
    const baseImages = { 'node-base': `private.example.com:5000/acme/node-base@${DIGEST}`, 'node:18': `docker.io/library/node:18@${DIGEST}` };
    expect(hosts(['FROM node-base AS build', 'FROM node:18', 'COPY --from=build /app /app'], baseImages)).toEqual(['docker.io', 'private.example.com:5000']);
  });

  it('gives the hosts of upstream images as written: without a locked digest, or pinned in the Dockerfile', () => {
    expect(
      hosts([
        `FROM ghcr.io/acme/runtime@${DIGEST}`,
        'COPY --from=quay.io/acme/tools:1 /bin/t /bin/t',
        'RUN --mount=type=bind,from=127.0.0.1:5000/x,target=/x true',
      ]),
    ).toEqual(['127.0.0.1:5000', 'ghcr.io', 'quay.io']);
  });

  it('gives each host once, and none for stages, scratch or an image whose ARG has no value', () => {
    expect(
      hosts(['ARG REGISTRY', 'FROM scratch AS empty', 'FROM ${REGISTRY}/a', 'FROM reg.example.com/a', 'FROM reg.example.com/b', 'COPY --from=empty / /']),
    ).toEqual(['reg.example.com']);
  });

  it('substitutes build args as the build does', () => {
    expect(hosts(['ARG REGISTRY=reg.example.com', 'FROM ${REGISTRY}/a'], {}, { REGISTRY: 'other.example.com' })).toEqual(['other.example.com']);
  });
});
