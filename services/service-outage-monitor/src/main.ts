import { startService } from './service.js';

const { health, log } = await startService();

// As PID 1 in a container, Node gets no default signal handling: stop cleanly on `docker stop`.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info('stopping', { signal });
    void health.close().then(() => process.exit(0));
  });
}
