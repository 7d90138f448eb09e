#!/usr/bin/env node
import { AuthConfigError } from './auth.js';
import { OptionsError, readCommand, usage } from './options.js';
import { startCacheServer } from './start.js';

/** Resolves with an exit code, or undefined while the server runs. */
async function main(): Promise<number | undefined> {
  let command;
  try {
    command = readCommand(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof OptionsError) return fail(error.message);
    throw error;
  }
  if (command.help) {
    process.stdout.write(usage());
    return 0;
  }
  const { options } = command;
  let server;
  try {
    server = await startCacheServer(options);
  } catch (error) {
    if (error instanceof AuthConfigError) return fail(error.message);
    return fail(`cannot start: ${(error as Error).message}`, 1);
  }
  const access = options.open
    ? 'open: no authentication, anyone who reaches the port may read and write; for local use only'
    : [options.token && 'read-write token', options.readOnlyToken && 'read-only token'].filter(Boolean).join(' and ') + ' configured';
  const log = options.open ? server.logger.warn : server.logger.info;
  log('listening', { host: options.host, port: server.port, storage: server.storage.description, access });
  const stop = (signal: string) => {
    server.logger.info('stopping', { signal });
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}

/** 2 for settings that cannot work, 1 for a start that failed (a taken port, unusable storage). */
function fail(message: string, code = 2): number {
  process.stderr.write(`imagewise-cache-server: ${message}\n`);
  return code;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`imagewise-cache-server: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
