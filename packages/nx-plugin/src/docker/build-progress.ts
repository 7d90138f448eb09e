import protobuf from 'protobufjs';

/**
 * BuildKit reports progress as base64 protobuf StatusResponse messages inside
 * the Engine API's JSON stream (id "moby.buildkit.trace"). Only the fields a
 * log needs are declared: vertex names, errors and log lines.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
      },
    },
    Vertex: {
      fields: { digest: { type: 'string', id: 1 }, name: { type: 'string', id: 3 }, cached: { type: 'bool', id: 4 }, error: { type: 'string', id: 7 } },
    },
    VertexLog: { fields: { vertex: { type: 'string', id: 1 }, msg: { type: 'bytes', id: 4 } } },
  },
});
const StatusResponse = root.lookupType('StatusResponse');

interface Vertex {
  digest: string;
  name: string;
  cached: boolean;
  error: string;
}

const CANCELED = /\bcancel(?:l)?ed\b/i;
const CLASSIC_STEP = /^Step \d+\/\d+ : /;
const TAIL_LINES = 15;

const NON_FATAL_STEP = /^importing cache manifest /;

/** Turns the daemon's build stream into log lines, remembering each step's last lines for errors. */
export class BuildProgress {
  private readonly names = new Map<string, string>();
  private readonly printed = new Set<string>();
  /** Last log lines by vertex digest (BuildKit) or classic step line. */
  private readonly tails = new Map<string, string[]>();
  private failedVertex?: string;
  private stepCanceled = false;
  /** The failing step's own error, for a stream that ends without an errorDetail. */
  private stepError?: string;
  /** The classic builder's current `Step n/m : …` line. */
  private classicStep?: string;
  imageId?: string;
  failedStep?: string;
  error?: string;

  constructor(private readonly log: (line: string) => void) {}

  /** One JSON message of the stream. */
  handle(message: { stream?: string; error?: string; errorDetail?: { message?: string }; id?: string; aux?: unknown }): void {
    if (message.error || message.errorDetail) {
      this.error = message.errorDetail?.message || message.error || 'unknown error';
      // The classic builder names no failing step but the one it was running.
      if (!this.failedStep && this.classicStep) {
        this.failedStep = this.classicStep;
        this.failedVertex = this.classicStep;
      }
      return;
    }
    if (message.stream) {
      for (const line of message.stream.split('\n')) {
        if (!line.trim()) continue;
        this.log(line);
        if (CLASSIC_STEP.test(line)) this.classicStep = line.trim();
        else if (this.classicStep) this.remember(this.classicStep, line);
      }
      return;
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') this.trace(message.aux);
    else if (message.aux && typeof message.aux === 'object' && typeof (message.aux as { ID?: unknown }).ID === 'string') {
      // `moby.image.id` (BuildKit) or the classic builder's bare aux.
      this.imageId = (message.aux as { ID: string }).ID;
    }
  }

  /** The failing step and its last log lines, for the error a task shows. */
  failure(): string {
    const step = this.failedStep ?? 'the build';
    const tail = this.failedVertex ? (this.tails.get(this.failedVertex) ?? []) : [];
    return [`${step} failed: ${this.error ?? this.stepError ?? 'unknown error'}`, ...tail.map((line) => `  | ${line}`)].join('\n');
  }

  private trace(base64: string): void {
    const status = StatusResponse.toObject(StatusResponse.decode(Buffer.from(base64, 'base64')), { defaults: true }) as {
      vertexes: Vertex[];
      logs: { vertex: string; msg: Uint8Array }[];
    };
    for (const vertex of status.vertexes) {
      // Later updates of a vertex may leave its name out.
      if (vertex.name) this.names.set(vertex.digest, vertex.name);
      const name = this.names.get(vertex.digest) ?? '';
      if (!this.printed.has(vertex.digest) && name) {
        this.printed.add(vertex.digest);
        this.log(`${name}${vertex.cached ? ' (cached)' : ''}`);
      }
      // The step that failed is the first with an error: the steps running beside it
      // then end "canceled", and they must not take its place. A cache import
      // that finds nothing reports an error too, but the build goes on.
      const fatal = vertex.error && !NON_FATAL_STEP.test(name);
      if (fatal && (!this.failedVertex || (this.stepCanceled && !CANCELED.test(vertex.error)))) {
        this.failedVertex = vertex.digest;
        this.failedStep = name || vertex.digest;
        this.stepError = vertex.error;
        this.stepCanceled = CANCELED.test(vertex.error);
      }
    }
    for (const entry of status.logs) {
      for (const line of Buffer.from(entry.msg).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.log(`  ${line}`);
        this.remember(entry.vertex, line);
      }
    }
  }

  private remember(key: string, line: string): void {
    const tail = this.tails.get(key) ?? [];
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    this.tails.set(key, tail);
  }
}
