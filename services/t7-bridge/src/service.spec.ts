import { afterEach, describe, expect, it } from 'vitest';
import { startService, type Service } from './service.js';

describe('t7-bridge', () => {
  let service: Service | undefined;

  afterEach(async () => {
    await service?.health.close();
    service = undefined;
  });

  it('answers GET /health with 200 and JSON naming the service', async () => {
    service = await startService({ PORT: '0', LOG_LEVEL: 'error' });
    const response = await fetch(`http://127.0.0.1:${service.port}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ status: 'ok', service: 't7-bridge' });
  });

  it('refuses a PORT that is not a TCP port, naming it', async () => {
    await expect(startService({ PORT: 'eighty' })).rejects.toThrow(/PORT/);
  });
});
