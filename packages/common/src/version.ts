import { readFileSync } from 'node:fs';

// Read at runtime rather than inlined at build time, so it always reports the installed copy.
// The relative path holds for both src/ (tests) and dist/ (published), which sit side by side.
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const VERSION: string = manifest.version;
