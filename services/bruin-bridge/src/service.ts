import { readFileSync } from 'node:fs';
import { LOG_LEVELS, createHealthServer, createLogger, loadConfig, type Env, type HealthServer, type Logger } from '@imagewise/common';

// The service's name and version, from its package.json (the Dockerfile copies it into the image too).
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export interface Service {
  health: HealthServer;
  log: Logger;
  port: number;
}

/** Starts bruin-bridge: GET /health answers 200 with JSON while it runs. */
export async function startService(env: Env = process.env): Promise<Service> {
  const config = loadConfig(
    {
      port: { type: 'port', env: 'PORT', default: 8080 },
      logLevel: { type: 'enum', env: 'LOG_LEVEL', values: LOG_LEVELS, default: 'info' },
    },
    env,
  );
  const log = createLogger({ service: manifest.name, level: config.logLevel });
  const health = createHealthServer({ port: config.port, service: manifest.name, version: manifest.version });
  const { port } = await health.listen();
  log.info('listening', { port });
  return { health, log, port };
}
