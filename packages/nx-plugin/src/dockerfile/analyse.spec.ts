import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseDockerfile, externalImageUses, type DockerfileAnalysis, type ImageUse } from './analyse';

/** Joins lines, so that line numbers in the tests are easy to count. */
const dockerfile = (...lines: string[]) => lines.join('\n');

// As a report prints them: the line, then the message.
const messages = (analysis: DockerfileAnalysis) => analysis.problems.map((p) => `line ${p.line}: ${p.message}`);
const external = (analysis: DockerfileAnalysis) => externalImageUses(analysis).map((u) => u.value);
const use = (analysis: DockerfileAnalysis, line: number): ImageUse => {
  const found = analysis.imageUses.filter((u) => u.line === line);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('analyseDockerfile: stages and FROM', () => {
  it('reads a multi-stage Dockerfile with COPY --from a stage name, a stage index and an image', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM node:20-alpine AS deps', // 1
        'RUN npm ci',
        'FROM node:20-alpine AS build', // 3
        'COPY --from=deps /app/node_modules ./node_modules', // 4
        'RUN npm run build',
        'FROM nginx:1.27', // 6
        'COPY --from=1 /app/dist /usr/share/nginx/html', // 7
        'COPY --from=ghcr.io/acme/assets:2.0 /assets /assets', // 8
        'COPY --chown=101:101 --from=build /app/conf /etc/nginx', // 9
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages.map((s) => [s.index, s.name, s.from.value])).toEqual([
      [0, 'deps', 'node:20-alpine'],
      [1, 'build', 'node:20-alpine'],
      [2, undefined, 'nginx:1.27'],
    ]);
    expect(use(analysis, 4)).toMatchObject({ kind: 'copy-from', raw: 'deps', value: 'deps', stage: 1, stageRef: 0, target: 'stage' });
    expect(use(analysis, 7)).toMatchObject({ kind: 'copy-from', value: '1', stage: 2, stageRef: 1, target: 'stage' });
    expect(use(analysis, 8)).toMatchObject({ kind: 'copy-from', value: 'ghcr.io/acme/assets:2.0', target: 'image' });
    expect(use(analysis, 8).stageRef).toBeUndefined();
    expect(use(analysis, 9)).toMatchObject({ stageRef: 1, target: 'stage' });
    expect(analysis.imageUses.map((u) => u.line)).toEqual([1, 3, 4, 6, 7, 8, 9]);
    expect(external(analysis)).toEqual(['node:20-alpine', 'node:20-alpine', 'nginx:1.27', 'ghcr.io/acme/assets:2.0']);
  });

  it('treats FROM <earlier stage> as a stage, even when the stage is named like an image', () => {
    const analysis = analyseDockerfile(dockerfile('FROM node:18 AS node-base', 'RUN echo base', 'FROM node-base', 'FROM node-base AS again'));
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages[1].from).toMatchObject({ value: 'node-base', stageRef: 0, target: 'stage' });
    expect(analysis.stages[2].from).toMatchObject({ stageRef: 0, target: 'stage' });
    expect(external(analysis)).toEqual(['node:18']);
  });

  it('treats FROM <later or unknown stage> as an image', () => {
    const analysis = analyseDockerfile(dockerfile('FROM builder', 'FROM alpine AS builder', 'FROM x AS x'));
    expect(analysis.stages[0].from).toMatchObject({ value: 'builder', target: 'image' });
    expect(analysis.stages[0].from.stageRef).toBeUndefined();
    // BuildKit registers a stage's name only after reading its FROM
    expect(analysis.stages[2].from).toMatchObject({ value: 'x', target: 'image' });
    expect(external(analysis)).toEqual(['builder', 'alpine', 'x']);
  });

  it('matches stage names without regard to case, and warns when FROM differs in case', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine AS Builder', 'FROM builder', 'COPY --from=BUILDER /a /b', 'FROM Builder'));
    expect(analysis.stages[1].from).toMatchObject({ stageRef: 0, target: 'stage' });
    expect(use(analysis, 3)).toMatchObject({ stageRef: 0, target: 'stage' });
    expect(analysis.stages[2].from).toMatchObject({ stageRef: 0, target: 'stage' });
    expect(messages(analysis)).toEqual([expect.stringMatching(/^line 4: FROM Builder names stage "Builder" in different case.*write "FROM builder"$/)]);
  });

  it('marks FROM scratch so that graph code can skip it', () => {
    const analysis = analyseDockerfile(dockerfile('FROM golang:1.23 AS build', 'FROM scratch', 'COPY --from=build /app /app', 'COPY --from=scratch / /'));
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages[1].from).toMatchObject({ value: 'scratch', target: 'scratch' });
    expect(use(analysis, 4)).toMatchObject({ value: 'scratch', target: 'scratch' });
    expect(external(analysis)).toEqual(['golang:1.23']);
  });

  it('reads FROM --platform, with literals, quotes and ARGs', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'ARG PLATFORM=linux/arm64',
        'FROM --platform=$BUILDPLATFORM golang:1.23 AS build', // 2
        'FROM --platform=linux/amd64 alpine:3.20 AS amd', // 3
        'FROM --platform="linux/arm/v7" alpine:3.20 AS arm', // 4
        'FROM --platform=${PLATFORM} alpine:3.20', // 5
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(use(analysis, 2)).toMatchObject({ value: 'golang:1.23', target: 'image' });
    expect(use(analysis, 2).platform).toBeUndefined(); // only known at build time
    expect(use(analysis, 3).platform).toBe('linux/amd64');
    expect(use(analysis, 4).platform).toBe('linux/arm/v7');
    expect(use(analysis, 5).platform).toBe('linux/arm64');
  });

  it('resolves platform ARGs when they are passed as build args', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM --platform=$BUILDPLATFORM alpine AS build_amd64',
        'FROM alpine AS build_arm64',
        'FROM build_${TARGETARCH} AS build', // 3
      ),
      { BUILDPLATFORM: 'linux/amd64', TARGETARCH: 'arm64' },
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages[0].from.platform).toBe('linux/amd64');
    expect(use(analysis, 3)).toMatchObject({ value: 'build_arm64', stageRef: 1, target: 'stage' });
  });

  it('explains a FROM of an image that depends on the target platform', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine AS build_amd64', 'FROM node:22-${TARGETARCH} AS build'));
    expect(use(analysis, 2)).toMatchObject({ raw: 'node:22-${TARGETARCH}', target: 'unresolved' });
    expect(use(analysis, 2).value).toBeUndefined();
    expect(messages(analysis)).toEqual([
      'line 2: FROM uses $TARGETARCH, which BuildKit sets at build time from the target or build platform: pass TARGETARCH as a build arg to resolve it here',
    ]);
  });

  it('takes a FROM that names a stage of the file per platform as a stage switch, not an unknown image', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'ARG SUFFIX=-$TARGETARCH$TARGETVARIANT', // 1: derived from platform ARGs
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build-amd64', // 2
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build-armv7', // 3
        'FROM build-${TARGETARCH} AS by-arch', // 4
        'FROM build${SUFFIX} AS by-suffix', // 5
        'FROM scratch', // 6
        'COPY --from=by-arch /app /app',
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(use(analysis, 4)).toMatchObject({ target: 'stage', stageRef: 0 });
    expect(use(analysis, 5)).toMatchObject({ target: 'stage', stageRef: 0 });
    expect(analysis.imageUses.filter((u) => u.target === 'image').map((u) => u.value)).toEqual(['golang:1.22', 'golang:1.22']);
  });

  it('still reports a platform switch when a variable it needs has no value on any platform', () => {
    const analysis = analyseDockerfile(dockerfile('ARG FLAVOUR', 'FROM alpine AS build-amd64-x', 'FROM build-${TARGETARCH}-${FLAVOUR}'));
    expect(messages(analysis)).toEqual(expect.arrayContaining([expect.stringMatching(/^line 3: FROM uses \$FLAVOUR, which has no value/)]));
    expect(use(analysis, 3).target).toBe('unresolved');
  });

  it('reads instructions in any case, including "as"', () => {
    const analysis = analyseDockerfile(
      dockerfile('from alpine:3.20 as base', 'run echo hi', 'From base As Final', 'copy --from=base /a /b', 'rUn --mount=from=base,target=/x true'),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages.map((s) => s.name)).toEqual(['base', 'Final']);
    expect(analysis.stages[1].from).toMatchObject({ stageRef: 0 });
    expect(use(analysis, 4)).toMatchObject({ stageRef: 0 });
    expect(use(analysis, 5)).toMatchObject({ kind: 'mount-from', stageRef: 0 });
  });

  it('reads an image in quotes and an escaped $', () => {
    const analysis = analyseDockerfile(dockerfile('FROM "alpine:3.20"', 'FROM weird\\$name'));
    expect(analysis.stages[0].from).toMatchObject({ raw: '"alpine:3.20"', value: 'alpine:3.20', target: 'image' });
    // `\$` is a literal $, which makes no valid image name
    expect(analysis.stages[1].from).toMatchObject({ value: 'weird$name', target: 'unresolved' });
    expect(messages(analysis)).toEqual([expect.stringMatching(/^line 2: FROM "weird\$name" is not a valid image reference/)]);
  });
});

describe('analyseDockerfile: ARGs', () => {
  const argFile = dockerfile(
    'ARG REGISTRY=registry.example.com', // 1
    'ARG BASE_TAG=20-alpine', // 2
    'ARG VARIANT', // 3
    'FROM ${REGISTRY}/node-base:${BASE_TAG} AS base', // 4
    'FROM node:${VARIANT:-lts}${VARIANT:+-$VARIANT}', // 5
  );

  it('substitutes global ARG defaults in FROM', () => {
    const analysis = analyseDockerfile(argFile);
    expect(analysis.problems).toEqual([]);
    expect(analysis.globalArgs).toEqual([
      { name: 'REGISTRY', value: 'registry.example.com', line: 1 },
      { name: 'BASE_TAG', value: '20-alpine', line: 2 },
      { name: 'VARIANT', value: undefined, line: 3 },
    ]);
    expect(use(analysis, 4)).toMatchObject({
      raw: '${REGISTRY}/node-base:${BASE_TAG}',
      value: 'registry.example.com/node-base:20-alpine',
      target: 'image',
    });
    expect(use(analysis, 5).value).toBe('node:lts');
  });

  it('lets build args override ARG defaults and fill ARGs without one', () => {
    const analysis = analyseDockerfile(argFile, { BASE_TAG: '22-slim', VARIANT: 'bookworm', UNDECLARED: 'x' });
    expect(analysis.problems).toEqual([]);
    expect(analysis.globalArgs.map((a) => [a.name, a.value])).toEqual([
      ['REGISTRY', 'registry.example.com'],
      ['BASE_TAG', '22-slim'],
      ['VARIANT', 'bookworm'],
    ]);
    expect(use(analysis, 4).value).toBe('registry.example.com/node-base:22-slim');
    expect(use(analysis, 5).value).toBe('node:bookworm-bookworm');
  });

  it('applies build args only to declared ARGs', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine:${TAG}'), { TAG: '3.20' });
    expect(use(analysis, 1).value).toBeUndefined();
    expect(messages(analysis)).toEqual([
      'line 1: FROM uses $TAG, which is not declared before the first FROM (FROM lines can use only global ARGs): add "ARG TAG=<value>" before the first FROM',
    ]);
  });

  it('reports a FROM variable that has no value', () => {
    const analysis = analyseDockerfile(dockerfile('ARG REGISTRY=docker.io', 'ARG BASE_TAG', 'FROM ${REGISTRY}/node-base:${BASE_TAG}'));
    expect(use(analysis, 3)).toMatchObject({ raw: '${REGISTRY}/node-base:${BASE_TAG}', target: 'unresolved' });
    expect(use(analysis, 3).value).toBeUndefined();
    expect(analysis.problems).toEqual([
      {
        line: 3,
        message: 'FROM uses $BASE_TAG, which has no value: give "ARG BASE_TAG" a default or pass it as a build arg',
      },
    ]);
    expect(externalImageUses(analysis)).toEqual([]);
  });

  it('reports a FROM variable whose default depends on a variable without a value', () => {
    const analysis = analyseDockerfile(dockerfile('ARG VERSION', 'ARG IMAGE=node:${VERSION}', 'FROM $IMAGE'));
    expect(messages(analysis)).toEqual([
      'line 3: FROM uses $IMAGE, whose value needs $VERSION, which has no value: give "ARG VERSION" a default or pass VERSION (or IMAGE) as a build arg',
    ]);
    expect(analyseDockerfile(dockerfile('ARG VERSION', 'ARG IMAGE=node:${VERSION}', 'FROM $IMAGE'), { VERSION: '22' }).stages[0].from.value).toBe('node:22');
  });

  it('does not let FROM use ARGs declared inside a stage', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'ARG TAG=3', 'FROM alpine:$TAG'));
    expect(messages(analysis)).toEqual([expect.stringMatching(/^line 3: FROM uses \$TAG, which is not declared before the first FROM/)]);
  });

  it('uses a default when a variable is unset or empty, with or without the colon', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'ARG EMPTY=""',
        'ARG UNSET',
        'FROM alpine:${UNSET:-3.19}',
        'FROM alpine:${EMPTY:-3.20}',
        'FROM alpine${EMPTY-:3.21}',
        'FROM alpine${UNSET-:3.22}',
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages.map((s) => s.from.value)).toEqual(['alpine:3.19', 'alpine:3.20', 'alpine', 'alpine:3.22']);
  });

  it('lets ARG defaults use earlier ARGs, and later declarations without a default keep the value', () => {
    const analysis = analyseDockerfile(
      dockerfile('ARG NODE=22', 'ARG IMAGE=node:${NODE}-alpine', 'ARG IMAGE', 'ARG A=1 B=${A}2', 'FROM $IMAGE', 'FROM busybox:$B'),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.globalArgs.map((a) => [a.name, a.value])).toEqual([
      ['NODE', '22'],
      ['IMAGE', 'node:22-alpine'],
      ['IMAGE', 'node:22-alpine'],
      ['A', '1'],
      ['B', '12'],
    ]);
    expect(analysis.stages.map((s) => s.from.value)).toEqual(['node:22-alpine', 'busybox:12']);
  });

  it('reads several declarations on one ARG line', () => {
    const analysis = analyseDockerfile(dockerfile('ARG OS ARCH=amd64', 'ARG C D="a b" E', 'ARG TARGETOS TARGETARCH', 'FROM alpine'), { OS: 'linux' });
    expect(analysis.problems).toEqual([]);
    expect(analysis.globalArgs.map((a) => [a.name, a.value])).toEqual([
      ['OS', 'linux'],
      ['ARCH', 'amd64'],
      ['C', undefined],
      ['D', 'a b'],
      ['E', undefined],
      ['TARGETOS', undefined],
      ['TARGETARCH', undefined],
    ]);
  });

  it('keeps quotes and escapes of ARG values as BuildKit does', () => {
    const analysis = analyseDockerfile(dockerfile('ARG TAG="3.20"', "ARG LITERAL='$TAG'", 'ARG ESCAPED=a\\$TAG', 'FROM alpine:$TAG'));
    expect(analysis.globalArgs.map((a) => a.value)).toEqual(['3.20', '$TAG', 'a$TAG']);
    expect(analysis.stages[0].from.value).toBe('alpine:3.20');
  });

  it('supports prefix and suffix trimming in FROM', () => {
    const analysis = analyseDockerfile(dockerfile('ARG NODE_VERSION=22.11.0', 'FROM node:${NODE_VERSION%%.*}-alpine'));
    expect(analysis.stages[0].from.value).toBe('node:22-alpine');
  });

  it('reports bad variable syntax', () => {
    const analysis = analyseDockerfile(dockerfile('ARG TAG=1', 'FROM alpine:${TAG', 'FROM alpine:${TAG:?}'));
    expect(analysis.stages.map((s) => s.from.target)).toEqual(['unresolved', 'image']);
    expect(messages(analysis)).toEqual([expect.stringMatching(/^line 2: FROM alpine:\$\{TAG cannot be expanded \(missing "}"\)/)]);
    const required = analyseDockerfile(dockerfile('ARG TAG', 'FROM alpine:${TAG:?}', 'FROM alpine:${TAG?set-TAG}'));
    expect(messages(required)).toEqual([
      'line 2: FROM alpine:${TAG:?} cannot be expanded (TAG: is not allowed to be unset): fix its variable syntax',
      'line 3: FROM alpine:${TAG?set-TAG} cannot be expanded (TAG: set-TAG): fix its variable syntax',
    ]);
  });
});

describe('analyseDockerfile: stage ARG scope for COPY --from and mount from=', () => {
  it('uses ARGs declared in the stage, and warns that BuildKit does not expand them', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'ARG ASSETS=ghcr.io/acme/assets:1', // 1
        'FROM alpine AS tools', // 2
        'FROM alpine', // 3
        'ARG ASSETS', // 4: redeclared without a default: inherits the global value
        'ARG TOOLS=tools', // 5
        'COPY --from=$ASSETS /a /a', // 6
        'COPY --from=${TOOLS} /t /t', // 7
        'RUN --mount=type=bind,from=$TOOLS,target=/t true', // 8
      ),
    );
    expect(use(analysis, 6)).toMatchObject({ raw: '$ASSETS', value: 'ghcr.io/acme/assets:1', target: 'image' });
    expect(use(analysis, 7)).toMatchObject({ value: 'tools', stageRef: 0, target: 'stage' });
    expect(use(analysis, 8)).toMatchObject({ kind: 'mount-from', value: 'tools', stageRef: 0, target: 'stage' });
    expect(analysis.problems.map((p) => p.line)).toEqual([6, 7, 8]);
    expect(messages(analysis)[0]).toMatch(
      /^line 6: COPY --from=\$ASSETS uses a variable, which only some builders expand \(BuildKit does not expand variables in --from/,
    );
    expect(messages(analysis)[2]).toMatch(/^line 8: RUN --mount from=\$TOOLS uses a variable.*BuildKit rejects variables in from=/);
  });

  it('gives platform ARGs to stages that declare them', () => {
    const file = dockerfile('FROM alpine AS amd64', 'FROM alpine', 'ARG TARGETOS TARGETARCH', 'COPY --from=$TARGETARCH /a /a');
    expect(use(analyseDockerfile(file, { TARGETARCH: 'amd64' }), 4)).toMatchObject({ value: 'amd64', stageRef: 0 });
    const unknown = analyseDockerfile(file);
    expect(use(unknown, 4).value).toBeUndefined();
    expect(messages(unknown)).toContain(
      'line 4: COPY --from uses $TARGETARCH, which BuildKit sets at build time from the target or build platform: pass TARGETARCH as a build arg to resolve it here',
    );
  });

  it('lets ENV win over an ARG of the same name', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'ARG SRC=alpine:1', 'ENV SRC=alpine:2', 'ARG SRC=alpine:3', 'COPY --from=$SRC /a /a'));
    expect(use(analysis, 5).value).toBe('alpine:2');
  });

  it('applies build args to stage ARGs', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'ARG SRC=alpine:3.19', 'COPY --from=${SRC} /a /a'), { SRC: 'alpine:3.20' });
    expect(use(analysis, 3).value).toBe('alpine:3.20');
  });

  it('does not let a stage see global ARGs it does not redeclare', () => {
    const analysis = analyseDockerfile(dockerfile('ARG SRC=alpine:3.19', 'FROM alpine', 'COPY --from=$SRC /a /a', 'COPY --from=$OTHER /b /b'));
    expect(use(analysis, 3)).toMatchObject({ target: 'unresolved' });
    expect(use(analysis, 3).value).toBeUndefined();
    expect(messages(analysis)).toContain('line 3: COPY --from uses $SRC, which is a global ARG that this stage does not redeclare: add "ARG SRC" to the stage');
    expect(messages(analysis)).toContain('line 4: COPY --from uses $OTHER, which is not declared in this stage: add "ARG OTHER=<value>" to the stage');
  });

  it('keeps ARGs per stage, and lets a stage inherit from the stage it is built on', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM alpine AS one', // 1
        'ARG SRC=busybox:1', // 2
        'ENV EXTRA=alpine:3', // 3
        'FROM alpine AS two', // 4
        'COPY --from=$SRC /a /a', // 5: SRC belongs to stage one
        'FROM one AS three', // 6
        'COPY --from=$SRC /a /a', // 7: inherited from one
        'COPY --from=$EXTRA /b /b', // 8: ENV inherited from one
      ),
    );
    expect(use(analysis, 5).value).toBeUndefined();
    expect(use(analysis, 7).value).toBe('busybox:1');
    expect(use(analysis, 8).value).toBe('alpine:3');
  });
});

describe('analyseDockerfile: RUN --mount', () => {
  it('reads from= in any option order, for bind and cache mounts', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM golang:1.23 AS build', // 1
        'FROM alpine', // 2
        'RUN --mount=type=bind,from=build,source=/out,target=/in cp /in/app /app', // 3
        'RUN --mount=from=build,type=bind,target=/in true', // 4
        'RUN --mount=target=/cache,type=cache,from=busybox:1.36 true', // 5
        'RUN --mount=type=cache,target=/root/.cache --mount=from=build,target=/b ["sh", "-c", "true"]', // 6
        'RUN --mount=TYPE=BIND,FROM=build,target=/x true', // 7
        'RUN --mount=type=tmpfs,target=/tmp true', // 8
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.imageUses.filter((u) => u.kind === 'mount-from').map((u) => [u.line, u.value, u.target, u.stageRef])).toEqual([
      [3, 'build', 'stage', 0],
      [4, 'build', 'stage', 0],
      [5, 'busybox:1.36', 'image', undefined],
      [6, 'build', 'stage', 0],
      [7, 'build', 'stage', 0],
    ]);
  });

  it('rejects from= on mount types that do not take it, and stage indexes', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'RUN --mount=type=secret,id=npm,from=x true', 'RUN --mount=from=0,target=/x true'));
    expect(analysis.imageUses.filter((u) => u.kind === 'mount-from').map((u) => u.target)).toEqual(['unresolved']);
    expect(messages(analysis)).toEqual([
      expect.stringMatching(/^line 2: RUN --mount from=x has type=secret, but only bind and cache mounts take from=/),
      expect.stringMatching(/^line 3: RUN --mount from=0 cannot name a stage by index/),
    ]);
  });
});

describe('analyseDockerfile: COPY --from and ADD --from', () => {
  it('reports stage indexes out of range', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'COPY --from=3 /a /b', 'COPY --from=-1 /a /b'));
    expect(analysis.imageUses.slice(1).map((u) => u.target)).toEqual(['unresolved', 'unresolved']);
    expect(messages(analysis)).toEqual([
      "line 2: COPY --from=3 names stage index 3, but the stages are numbered 0 to 0: use an existing stage's index or name",
      "line 3: COPY --from=-1 names stage index -1, but the stages are numbered 0 to 0: use an existing stage's index or name",
    ]);
  });

  it('allows COPY --from a later stage but reports cycles and self references', () => {
    const ok = analyseDockerfile(dockerfile('FROM alpine', 'COPY --from=later /a /b', 'FROM alpine AS later'));
    expect(ok.problems).toEqual([]);
    expect(ok.imageUses[1]).toMatchObject({ stageRef: 1, target: 'stage' });

    const cycle = analyseDockerfile(
      dockerfile('FROM alpine AS a', 'COPY --from=b /x /x', 'FROM alpine AS b', 'COPY --from=a /y /y', 'FROM alpine AS c', 'COPY --from=c /z /z'),
    );
    expect(messages(cycle)).toEqual([
      'line 2: COPY --from=b makes a cycle: stage 1 already depends on stage 0; break the cycle',
      'line 6: COPY --from=c refers to the stage it is in (stage 2): use an earlier stage or an image',
    ]);
  });

  it('finds cycles among thousands of stages in one pass, each reported on its own line', () => {
    // Stage i copies from stage i+1, and the last from the first: one cycle through all.
    const count = 10_000;
    const lines = Array.from({ length: count }, (_, i) => [`FROM alpine AS s${i}`, `COPY --from=s${(i + 1) % count} /x /x`]).flat();
    const analysis = analyseDockerfile(dockerfile(...lines));
    const cycles = analysis.problems.filter((p) => p.message.includes('makes a cycle'));
    expect(cycles).toHaveLength(count - 1); // every forward reference; the last one points back
    expect(cycles[0]).toEqual({ line: 2, message: 'COPY --from=s1 makes a cycle: stage 1 already depends on stage 0; break the cycle' });
  });

  it('follows the ONBUILD triggers of a stage that a later stage builds on, and no others', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM golang:1.22 AS tools', // 1
        'FROM alpine AS base', // 2
        'ONBUILD ARG FLAVOUR=slim', // 3
        'ONBUILD COPY --from=tools /go/bin /bin', // 4
        'ONBUILD RUN --mount=type=bind,from=redis:7,target=/r true', // 5
        'FROM base AS app', // 6: runs the three triggers
        'FROM alpine AS unused', // 7
        'ONBUILD COPY --from=never:1 /x /x', // 8: nothing here builds on it
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(use(analysis, 4)).toMatchObject({ kind: 'copy-from', stage: 2, stageRef: 0, target: 'stage' });
    expect(use(analysis, 5)).toMatchObject({ kind: 'mount-from', stage: 2, value: 'redis:7', target: 'image' });
    expect(analysis.imageUses.some((u) => u.value === 'never:1')).toBe(false);
  });

  it('accepts RUN --mount=type=tmpfs and other mounts without from=', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM alpine',
        'RUN --mount=type=tmpfs,target=/tmp --mount=type=tmpfs,size=64m,target=/x true',
        'RUN --mount=type=secret,id=npm --mount=type=ssh true',
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.imageUses).toHaveLength(1);
  });

  it('unquotes --from values', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine AS base', 'COPY --from="base" /a /b'));
    expect(analysis.imageUses[1]).toMatchObject({ raw: '"base"', value: 'base', stageRef: 0 });
  });

  it('reports ADD --from, which BuildKit does not support, and records no image use', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine AS base', 'ADD --from=base /a /b'));
    expect(analysis.imageUses).toHaveLength(1);
    expect(messages(analysis)).toEqual(['line 2: ADD does not support --from (BuildKit rejects the flag): use COPY --from=base instead']);
  });

  it('reports invalid image references', () => {
    const analysis = analyseDockerfile(dockerfile('FROM Ubuntu:22.04', 'COPY --from=Not_An/Image /a /b'));
    expect(analysis.imageUses.map((u) => u.target)).toEqual(['unresolved', 'unresolved']);
    expect(messages(analysis)).toEqual([
      expect.stringMatching(/^line 1: FROM "Ubuntu:22.04" is not a valid image reference/),
      expect.stringMatching(/^line 2: COPY --from "Not_An\/Image" is not a valid image reference/),
    ]);
  });

  it('checks image names with the plugin image reference parser', () => {
    const id = 'a'.repeat(64);
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM weird\\$VAR', // 1: an escaped $ stays in the name
        `FROM ${id}`, // 2: an image ID, not a repository name
        `FROM alpine@md5:${'a'.repeat(32)}`, // 3: docker pull only takes sha256, sha384 and sha512
        'FROM foo_bar.com/app', // 4: a malformed registry is taken for a typo
        `FROM registry.example.com/${'a'.repeat(250)}`, // 5: the 255 limit is on the path alone
        `FROM ${'a'.repeat(5000)}`, // 6
      ),
    );
    expect(analysis.imageUses.map((u) => u.target)).toEqual(['unresolved', 'unresolved', 'unresolved', 'unresolved', 'image', 'unresolved']);
    expect(analysis.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 6]);
    expect(messages(analysis)[0]).toMatch(/^line 1: FROM "weird\$VAR" is not a valid image reference/);
  });

  it('accepts registries with ports, digests and nested paths', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const analysis = analyseDockerfile(
      dockerfile('FROM localhost:5000/team/app:1.0', `FROM alpine@${digest}`, `FROM ghcr.io/acme/base-images/node:22@${digest}`),
    );
    expect(analysis.problems).toEqual([]);
    expect(external(analysis)).toHaveLength(3);
  });
});

describe('analyseDockerfile: syntax', () => {
  it('follows backslash line continuations and reports the first line', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM \\', // 1
        '  alpine:3.20 \\',
        '  AS base',
        'FROM busybox', // 4
        'COPY \\', // 5
        '  --from=base \\',
        '  /a /b',
        'RUN --mount=type=bind,\\', // 8
        'from=base,target=/x \\',
        '  true',
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages[0]).toMatchObject({ name: 'base', from: { line: 1, value: 'alpine:3.20' } });
    expect(use(analysis, 5)).toMatchObject({ stageRef: 0 });
    expect(use(analysis, 8)).toMatchObject({ kind: 'mount-from', stageRef: 0 });
  });

  it('follows backtick continuations under the escape directive', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        '# escape=`', // 1
        '', // 2
        'ARG TAG=ltsc2022', // 3
        'FROM mcr.microsoft.com/windows/servercore:$TAG `', // 4
        '  AS win',
        'RUN dir c:\\', // 6: a backslash is an ordinary character here
        'FROM mcr.microsoft.com/windows/nanoserver:a`$b', // 7: `$ is a literal $
        'COPY --from=win `', // 8
        '  c:\\app c:\\app',
      ),
    );
    expect(analysis.stages[0]).toMatchObject({
      name: 'win',
      from: { line: 4, value: 'mcr.microsoft.com/windows/servercore:ltsc2022', target: 'image' },
    });
    expect(use(analysis, 8)).toMatchObject({ stageRef: 0 });
    expect(use(analysis, 7).value).toBe('mcr.microsoft.com/windows/nanoserver:a$b');
    expect(analysis.problems.map((p) => p.line)).toEqual([7]); // `$` makes no valid tag
  });

  it('ignores comments, also inside continuations, and parser directives', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        '# syntax=docker/dockerfile:1', // 1
        '# FROM commented-out:1', // 2
        'FROM \\', // 3
        '  # a comment inside the continuation',
        '  node:22 \\',
        '# another one',
        '  AS build',
        '   # FROM indented-comment',
        'FROM scratch', // 9
        'COPY --from=build /a /b', // 10
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages).toHaveLength(2);
    expect(analysis.stages[0]).toMatchObject({ name: 'build', from: { line: 3, value: 'node:22' } });
    expect(use(analysis, 10)).toMatchObject({ stageRef: 0 });
  });

  it('reports an escape directive BuildKit refuses', () => {
    const analysis = analyseDockerfile(dockerfile('# escape=x', 'FROM alpine'));
    expect(messages(analysis)).toEqual([
      'line 1: the escape directive sets "x", but BuildKit takes only \\ or ` and refuses the Dockerfile: write "# escape=`" or remove the line',
    ]);
    expect(analysis.stages[0].from.value).toBe('alpine');
    expect(analyseDockerfile(dockerfile('# escape=\\', 'FROM alpine')).problems).toEqual([]);
  });

  it('reports a here-document that is never closed, on the instruction that opens it', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'RUN <<EOF', 'echo hi', 'FROM evil:1'));
    expect(messages(analysis)).toEqual(['line 2: the here-document <<EOF is never closed, so the rest of the file is read into it: end it with a line "EOF"']);
    expect(analysis.stages).toHaveLength(1);
  });

  it('never reads heredoc text as instructions', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM alpine AS base', // 1
        'RUN <<EOF', // 2
        'FROM evil:1',
        'COPY --from=evil2 / /',
        'EOF',
        'COPY <<EOT /etc/motd', // 6
        'FROM evil:3 AS x',
        'EOT',
        'RUN <<-"END" sh', // 9
        '\tFROM evil:4',
        '\tEND',
        'RUN <<A cat && <<B cat', // 12
        'FROM evil:5',
        'A',
        'FROM evil:6',
        'B',
        'FROM base', // 17
      ),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.stages.map((s) => [s.from.line, s.from.value])).toEqual([
      [1, 'alpine'],
      [17, 'base'],
    ]);
    expect(analysis.imageUses).toHaveLength(2);
  });

  it('handles CRLF line endings and a byte order mark', () => {
    const analysis = analyseDockerfile('\uFEFFFROM alpine AS a\r\nFROM busybox\r\nCOPY --from=a \\\r\n  /x /y\r\nCOPY --from=b /x /y\r\n');
    expect(analysis.problems).toEqual([]);
    expect(analysis.imageUses.map((u) => [u.line, u.value, u.target])).toEqual([
      [1, 'alpine', 'image'],
      [2, 'busybox', 'image'],
      [3, 'a', 'stage'],
      [5, 'b', 'image'],
    ]);
  });

  it('reports an empty or FROM-less Dockerfile', () => {
    const noFrom = /^line 1: the Dockerfile has no FROM instruction: start a build stage with "FROM <image>"$/;
    for (const text of ['', '   \n\n', '# just a comment\n', '# escape=`\n']) {
      const analysis = analyseDockerfile(text);
      expect(analysis).toMatchObject({ globalArgs: [], stages: [], imageUses: [] });
      expect(messages(analysis)).toEqual([expect.stringMatching(noFrom)]);
    }
    const argsOnly = analyseDockerfile('ARG A=1\n');
    expect(argsOnly.globalArgs).toHaveLength(1);
    expect(messages(argsOnly)).toEqual([expect.stringMatching(noFrom)]);
  });

  it('reports instructions before the first FROM, other than ARG', () => {
    const analysis = analyseDockerfile(dockerfile('ARG A=1', 'RUN echo hi', 'COPY --from=x / /', 'FROM alpine'));
    expect(analysis.imageUses).toHaveLength(1);
    expect(messages(analysis)).toEqual([
      'line 2: RUN comes before the first FROM: only ARG may appear there; move it into a stage',
      'line 3: COPY comes before the first FROM: only ARG may appear there; move it into a stage',
    ]);
  });

  it('reports malformed FROM lines and stage names', () => {
    const analysis = analyseDockerfile(
      dockerfile(
        'FROM',
        'FROM alpine AS',
        'FROM alpine AS 1st',
        'FROM alpine AS ok',
        'FROM alpine AS OK',
        'FROM --platform alpine',
        'FROM --pull=always alpine',
      ),
    );
    expect(analysis.stages).toHaveLength(7);
    expect(analysis.stages[0].from).toMatchObject({ raw: '', target: 'unresolved' });
    expect(analysis.problems.map((p) => p.line)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(messages(analysis)[0]).toMatch(/^line 1: FROM needs an image/);
    expect(messages(analysis)[1]).toMatch(/^line 2: FROM takes an image and optionally "AS <name>"/);
    expect(messages(analysis)[2]).toMatch(/^line 3: stage name "1st" is invalid/);
    expect(messages(analysis)[3]).toMatch(/^line 5: stage name "OK" is already used by stage 3 on line 4/);
    expect(messages(analysis)[4]).toMatch(/^line 6: FROM --platform needs a value/);
    expect(messages(analysis)[5]).toMatch(/^line 7: FROM does not support --pull/);
  });

  it('survives garbage text', () => {
    const inputs = [
      '\u0000\u0001garbage {{{ ]]]\n\\\n\\',
      '}}}}}}}}\n$$$${{{\n',
      'FROM ${{{',
      'FROM $',
      'FROM a\\',
      'RUN <<EOF\nunterminated heredoc',
      'COPY --from= /a /b',
      'FROM alpine\nRUN --mount=\nRUN --mount\nCOPY --from\n',
      '\\\n\\\n\\',
      'FROM "unterminated',
      '#'.repeat(10000),
      `FROM ${'${A:-'.repeat(200)}x${'}'.repeat(200)}`,
    ];
    for (const text of inputs) {
      const analysis = analyseDockerfile(text);
      expect(analysis.problems.length + analysis.stages.length).toBeGreaterThan(0);
    }
    expect(messages(analyseDockerfile('hello world'))).toEqual([
      'line 1: "HELLO" is not a Dockerfile instruction: fix or remove the line',
      expect.stringMatching(/no FROM instruction/),
    ]);
  });

  it('never throws, and keeps lines within the file', () => {
    const piece = fc.constantFrom(
      'FROM ',
      'from ',
      'ARG ',
      'COPY ',
      'RUN ',
      'ADD ',
      'ENV ',
      'ONBUILD ',
      ' AS ',
      ' as ',
      '--from=',
      '--mount=',
      '--platform=',
      'type=cache,',
      'from=',
      'alpine',
      'node:22',
      'base',
      '0',
      '1',
      '$A',
      '${A:-x}',
      '${B:+y}',
      '=',
      '"',
      "'",
      '\\',
      '`',
      '\n',
      '\r\n',
      '# escape=`\n',
      '# c\n',
      '<<EOF\n',
      '\nEOF\n',
      ' ',
      '{',
      '}',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.dictionary(fc.constantFrom('A', 'B', 'TARGETARCH'), fc.string()), (pieces, args) => {
        const text = pieces.join('');
        const analysis = analyseDockerfile(text, args);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const item of [...analysis.imageUses, ...analysis.problems, ...analysis.globalArgs]) {
          expect(item.line).toBeGreaterThanOrEqual(1);
          expect(item.line).toBeLessThanOrEqual(lineCount);
        }
        for (const u of analysis.imageUses) {
          expect(u.stage).toBeLessThan(Math.max(analysis.stages.length, 1));
          if (u.target === 'image') expect(u.value).toBeDefined();
          if (u.target === 'stage') expect(u.stageRef).toBeDefined();
          if (u.target !== 'stage') expect(u.stageRef).toBeUndefined();
        }
        expect(analysis.problems.every((p) => !/^line \d/.test(p.message))).toBe(true); // the line is data, not text
      }),
      { numRuns: 1500 },
    );
  });

  it('lists problems in line order', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'COPY --from=9 /a /b', 'FROM Bad'));
    expect(analysis.problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it('ignores ONBUILD triggers, which run in other builds', () => {
    const analysis = analyseDockerfile(dockerfile('FROM alpine', 'ONBUILD COPY --from=builder /a /b'));
    expect(analysis.problems).toEqual([]);
    expect(analysis.imageUses).toHaveLength(1);
  });
});
