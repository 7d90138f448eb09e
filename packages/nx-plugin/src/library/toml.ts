import type { TomlError } from 'smol-toml';

type SmolToml = typeof import('smol-toml');

// Loaded on first use: only pyproject.toml files need a TOML parser, and graph
// code runs on every Nx command.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load needs require
const smolToml = (): SmolToml => require('smol-toml') as SmolToml;

export function parseToml(text: string): Record<string, unknown> {
  return smolToml().parse(text);
}

export function isTomlError(error: unknown): error is TomlError {
  return error instanceof smolToml().TomlError;
}
