import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BuildProgress } from './build-progress';

/**
 * BuildKit's StatusResponse (moby/buildkit api/services/control/control.proto), with
 * more fields than the plugin reads, so that skipping unknown fields is exercised too.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        statuses: { rule: 'repeated', type: 'VertexStatus', id: 2 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
      },
    },
    Vertex: {
      fields: {
        digest: { type: 'string', id: 1 },
        inputs: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        cached: { type: 'bool', id: 4 },
        error: { type: 'string', id: 7 },
      },
    },
    VertexStatus: { fields: { ID: { type: 'string', id: 1 }, vertex: { type: 'string', id: 2 }, current: { type: 'int64', id: 4 } } },
    VertexLog: { fields: { vertex: { type: 'string', id: 1 }, stream: { type: 'int64', id: 3 }, msg: { type: 'bytes', id: 4 } } },
  },
});
const StatusResponse = root.lookupType('StatusResponse');

interface VertexIn {
  digest: string;
  name?: string;
  cached?: boolean;
  error?: string;
  inputs?: string[];
}

/** One `moby.buildkit.trace` message as the Engine API streams it. */
function trace(status: { vertexes?: VertexIn[]; logs?: { vertex: string; msg: string }[]; statuses?: { ID: string; vertex: string; current: number }[] }) {
  const message = StatusResponse.fromObject({
    vertexes: status.vertexes ?? [],
    statuses: status.statuses ?? [],
    logs: (status.logs ?? []).map((l) => ({ vertex: l.vertex, stream: 1, msg: Buffer.from(l.msg) })),
  });
  return { id: 'moby.buildkit.trace', aux: Buffer.from(StatusResponse.encode(message).finish()).toString('base64') };
}

function progress() {
  const lines: string[] = [];
  return { lines, progress: new BuildProgress((line) => lines.push(line)) };
}

const A = 'sha256:aaaa';
const B = 'sha256:bbbb';
const C = 'sha256:cccc';
const IMAGE_ID = `sha256:${'9'.repeat(64)}`;

describe('BuildProgress (classic builder)', () => {
  it('logs each non-empty stream line', () => {
    const { lines, progress: p } = progress();
    p.handle({ stream: 'Step 1/2 : FROM alpine\n' });
    p.handle({ stream: ' ---> 123abc\n\n   \nStep 2/2 : RUN echo hi\n' });
    expect(lines).toEqual(['Step 1/2 : FROM alpine', ' ---> 123abc', 'Step 2/2 : RUN echo hi']);
    expect(p.error).toBeUndefined();
  });

  it('takes the image id from the bare aux message', () => {
    const { lines, progress: p } = progress();
    p.handle({ aux: { ID: IMAGE_ID } });
    expect(p.imageId).toBe(IMAGE_ID);
    expect(lines).toEqual([]);
  });

  it('captures the error detail, and names the step that was running with its last lines', () => {
    const { progress: p } = progress();
    p.handle({ stream: 'Step 1/3 : FROM alpine\n ---> 1\nStep 2/3 : RUN make\n' });
    p.handle({ stream: ' ---> Running in 42\nmake: *** No rule to make target\n' });
    p.handle({ error: 'short', errorDetail: { message: "The command '/bin/sh -c make' returned a non-zero code: 2" } });
    expect(p.error).toBe("The command '/bin/sh -c make' returned a non-zero code: 2");
    expect(p.failure()).toBe(
      [
        "Step 2/3 : RUN make failed: The command '/bin/sh -c make' returned a non-zero code: 2",
        '  |  ---> Running in 42',
        '  | make: *** No rule to make target',
      ].join('\n'),
    );
  });

  it('takes the error field when there is no detail, and never leaves a failure without an error', () => {
    const { progress: p } = progress();
    p.handle({ error: 'pull access denied' });
    expect(p.error).toBe('pull access denied');
    expect(p.failure()).toBe('the build failed: pull access denied');
    const other = progress().progress;
    other.handle({ errorDetail: {} });
    expect(other.error).toBeTruthy();
  });

  it('says unknown error when the build failed without a word', () => {
    expect(progress().progress.failure()).toBe('the build failed: unknown error');
  });
});

describe('BuildProgress (BuildKit)', () => {
  it('takes the image id from moby.image.id', () => {
    const { progress: p } = progress();
    p.handle({ id: 'moby.image.id', aux: { ID: IMAGE_ID } });
    expect(p.imageId).toBe(IMAGE_ID);
  });

  it('ignores a moby.image.id message without an ID rather than failing', () => {
    const { progress: p } = progress();
    expect(() => p.handle({ id: 'moby.image.id' })).not.toThrow();
    expect(p.imageId).toBeUndefined();
  });

  it('logs each vertex name once, marks cached ones, and indents log lines', () => {
    const { lines, progress: p } = progress();
    p.handle(trace({ vertexes: [{ digest: A, name: '[1/3] FROM docker.io/library/alpine' }] }));
    p.handle(trace({ vertexes: [{ digest: A, name: '[1/3] FROM docker.io/library/alpine' }], statuses: [{ ID: 'x', vertex: A, current: 5 }] }));
    p.handle(trace({ vertexes: [{ digest: B, name: '[2/3] COPY . .', cached: true, inputs: [A] }] }));
    p.handle(trace({ vertexes: [{ digest: C, name: '[3/3] RUN make' }], logs: [{ vertex: C, msg: 'cc -o app main.c\nok\n\n' }] }));
    p.handle(
      trace({
        vertexes: [
          { digest: C, name: '[3/3] RUN make' },
          { digest: B, name: '[2/3] COPY . .', cached: true },
        ],
      }),
    );
    expect(lines).toEqual(['[1/3] FROM docker.io/library/alpine', '[2/3] COPY . . (cached)', '[3/3] RUN make', '  cc -o app main.c', '  ok']);
    expect(p.error).toBeUndefined();
    expect(p.failedStep).toBeUndefined();
  });

  it('logs nothing for a vertex without a name until it has one', () => {
    const { lines, progress: p } = progress();
    p.handle(trace({ vertexes: [{ digest: A }] }));
    p.handle(trace({ vertexes: [{ digest: A, name: 'named later' }] }));
    expect(lines).toEqual(['named later']);
  });

  it('names the failing step with its last lines in failure()', () => {
    const { progress: p } = progress();
    p.handle(
      trace({
        vertexes: [
          { digest: A, name: '[1/2] FROM alpine' },
          { digest: B, name: '[2/2] RUN ./test.sh' },
        ],
      }),
    );
    p.handle(
      trace({
        logs: [
          { vertex: A, msg: 'not this one\n' },
          { vertex: B, msg: 'running 3 tests\n' },
        ],
      }),
    );
    p.handle(trace({ logs: [{ vertex: B, msg: 'test 2 FAILED\n' }] }));
    p.handle(
      trace({ vertexes: [{ digest: B, name: '[2/2] RUN ./test.sh', error: 'process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1' }] }),
    );
    p.handle({ errorDetail: { message: 'process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1' } });
    expect(p.failedStep).toBe('[2/2] RUN ./test.sh');
    expect(p.failure()).toBe(
      [
        '[2/2] RUN ./test.sh failed: process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1',
        '  | running 3 tests',
        '  | test 2 FAILED',
      ].join('\n'),
    );
  });

  it('keeps only the last 15 lines of a step', () => {
    const { progress: p } = progress();
    p.handle(trace({ vertexes: [{ digest: A, name: 'RUN seq 20' }] }));
    p.handle(trace({ logs: [{ vertex: A, msg: Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') }] }));
    p.handle(trace({ vertexes: [{ digest: A, name: 'RUN seq 20', error: 'exit code: 1' }] }));
    const shown = p.failure().split('\n').slice(1);
    expect(shown).toHaveLength(15);
    expect(shown[0]).toBe('  | line 6');
    expect(shown[14]).toBe('  | line 20');
  });

  it('names the step that failed, not the steps canceled beside it', () => {
    const { progress: p } = progress();
    p.handle(
      trace({
        vertexes: [
          { digest: A, name: '[build 2/2] RUN make' },
          { digest: B, name: '[test 2/2] RUN pytest' },
        ],
      }),
    );
    p.handle(trace({ logs: [{ vertex: B, msg: 'E   assert 1 == 2\n' }] }));
    p.handle(trace({ vertexes: [{ digest: B, name: '[test 2/2] RUN pytest', error: 'exit code: 1' }] }));
    p.handle(trace({ vertexes: [{ digest: A, name: '[build 2/2] RUN make', error: 'context canceled' }] }));
    expect(p.failure()).toBe('[test 2/2] RUN pytest failed: exit code: 1\n  | E   assert 1 == 2');

    const early = progress().progress;
    early.handle(trace({ vertexes: [{ digest: A, name: 'first', error: 'canceled' }] }));
    early.handle(trace({ vertexes: [{ digest: B, name: 'real', error: 'exit code: 2' }] }));
    expect(early.failedStep).toBe('real');
  });

  it('does not take a cache import that found nothing for the failing step', () => {
    const { progress: p } = progress();
    p.handle(trace({ vertexes: [{ digest: A, name: 'importing cache manifest from r/app:latest', error: 'r/app:latest: not found' }] }));
    p.handle(trace({ logs: [{ vertex: B, msg: 'disk full\n' }] }));
    p.handle(trace({ vertexes: [{ digest: B, name: '[2/2] RUN make', error: 'exit code: 3' }] }));
    p.handle({ errorDetail: { message: 'executor failed running [make]: exit code: 3' } });
    expect(p.failure()).toBe('[2/2] RUN make failed: executor failed running [make]: exit code: 3\n  | disk full');
  });

  it('keeps a failing vertex its name when the update with the error leaves it out', () => {
    const { progress: p } = progress();
    p.handle(trace({ vertexes: [{ digest: A, name: '[1/1] RUN false' }] }));
    p.handle(trace({ vertexes: [{ digest: A, error: 'exit code: 1' }] }));
    expect(p.failure()).toBe('[1/1] RUN false failed: exit code: 1');
  });

  it('ignores other aux messages and trace ids it does not know', () => {
    const { lines, progress: p } = progress();
    p.handle({ id: 'moby.buildkit.trace', aux: { not: 'base64' } });
    p.handle({ id: 'something.else', aux: 'AAAA' });
    expect(lines).toEqual([]);
    expect(p.imageId).toBeUndefined();
  });
});
