import { readFileSync } from 'node:fs';

// The relative path holds for src/ (tests) and dist/, which sit side by side.
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const VERSION: string = manifest.version;
