interface Counter {
  name: string;
  help: string;
  value: number;
}

/** The server's counters, rendered in the Prometheus text exposition format (version 0.0.4). */
export class Metrics {
  readonly hits = counter('imagewise_cache_hits_total', 'GET requests answered with an entry.');
  readonly misses = counter('imagewise_cache_misses_total', 'GET requests for an entry the cache does not hold.');
  readonly stored = counter('imagewise_cache_stored_total', 'PUT requests that stored a new entry.');
  readonly bytesIn = counter('imagewise_cache_bytes_in_total', 'Bytes of entries stored.');
  readonly bytesOut = counter('imagewise_cache_bytes_out_total', 'Bytes of entries sent to clients.');
  readonly evicted = counter('imagewise_cache_evicted_total', 'Entries removed by eviction.');
  private readonly requests = new Map<string, number>();

  /** Every answered request, by method and status code. */
  countRequest(method: string, status: number): void {
    const key = `method="${method === 'GET' || method === 'PUT' ? method : 'other'}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    for (const { name, help, value } of [this.hits, this.misses, this.stored, this.bytesIn, this.bytesOut, this.evicted]) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    }
    lines.push('# HELP imagewise_cache_requests_total Requests answered, by method and status code.', '# TYPE imagewise_cache_requests_total counter');
    for (const [labels, value] of [...this.requests].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`imagewise_cache_requests_total{${labels}} ${value}`);
    }
    return lines.join('\n') + '\n';
  }
}

function counter(name: string, help: string): Counter {
  return { name, help, value: 0 };
}
