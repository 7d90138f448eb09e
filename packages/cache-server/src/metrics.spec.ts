import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('renders counters in the Prometheus text format', () => {
    const metrics = new Metrics();
    metrics.hits.value += 2;
    metrics.misses.value += 1;
    metrics.bytesIn.value += 100;
    metrics.bytesOut.value += 250;
    metrics.countRequest('GET', 200);
    metrics.countRequest('GET', 200);
    metrics.countRequest('PUT', 409);
    metrics.countRequest('DELETE', 405);
    const text = metrics.render();
    expect(text).toContain('# TYPE imagewise_cache_hits_total counter\nimagewise_cache_hits_total 2\n');
    expect(text).toContain('\nimagewise_cache_misses_total 1\n');
    expect(text).toContain('\nimagewise_cache_bytes_in_total 100\n');
    expect(text).toContain('\nimagewise_cache_bytes_out_total 250\n');
    expect(text).toContain('imagewise_cache_requests_total{method="GET",status="200"} 2\n');
    expect(text).toContain('imagewise_cache_requests_total{method="PUT",status="409"} 1\n');
    expect(text).toContain('imagewise_cache_requests_total{method="other",status="405"} 1\n');
    // Every sample line is `name[{labels}] value`; every metric has HELP and TYPE.
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) imagewise_cache_\w+ .+|imagewise_cache_\w+(\{[^}]*\})? \d+)$/);
    }
    expect(text.endsWith('\n')).toBe(true);
  });
});
