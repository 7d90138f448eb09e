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
    Vertex: { fields: { digest: { type: 'string', id: 1 }, name: { type: 'string', id: 3 }, cached: { type: 'bool', id: 4 }, error: { type: 'string', id: 7 } } },
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

/** Turns the daemon's build stream into log lines, remembering each step's last lines for errors. */
export class BuildProgress {
  private readonly names = new Map<string, string>();
  private readonly printed = new Set<string>();
  private readonly tails = new Map<string, string[]>();
  imageId?: string;
  failedStep?: string;
  error?: string;

  constructor(private readonly log: (line: string) => void) {}

  /** One JSON message of the stream. */
  handle(message: { stream?: string; error?: string; errorDetail?: { message?: string }; id?: string; aux?: unknown }): void {
    if (message.error || message.errorDetail) {
      this.error = message.errorDetail?.message ?? message.error;
      return;
    }
    if (message.stream) {
      for (const line of message.stream.split('\n')) if (line.trim()) this.log(line);
      return;
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') this.trace(message.aux);
    else if (message.id === 'moby.image.id' || (message.aux && typeof message.aux === 'object' && 'ID' in message.aux)) {
      this.imageId = (message.aux as { ID: string }).ID;
    }
  }

  /** The failing step and its last log lines, for the error a task shows. */
  failure(): string {
    const step = this.failedStep ?? 'the build';
    const tail = this.failedStep ? (this.tails.get(this.failedStep) ?? []) : [];
    return [`${step} failed: ${this.error ?? 'unknown error'}`, ...tail.map((line) => `  | ${line}`)].join('\n');
  }

  private trace(base64: string): void {
    const status = StatusResponse.toObject(StatusResponse.decode(Buffer.from(base64, 'base64')), { defaults: true }) as {
      vertexes: Vertex[];
      logs: { vertex: string; msg: Uint8Array }[];
    };
    for (const vertex of status.vertexes) {
      this.names.set(vertex.digest, vertex.name);
      if (!this.printed.has(vertex.digest) && vertex.name) {
        this.printed.add(vertex.digest);
        this.log(`${vertex.name}${vertex.cached ? ' (cached)' : ''}`);
      }
      if (vertex.error) this.failedStep = vertex.name;
    }
    for (const entry of status.logs) {
      const name = this.names.get(entry.vertex) ?? '';
      const tail = this.tails.get(name) ?? [];
      for (const line of Buffer.from(entry.msg).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.log(`  ${line}`);
        tail.push(line);
      }
      this.tails.set(name, tail.slice(-15));
    }
  }
}
