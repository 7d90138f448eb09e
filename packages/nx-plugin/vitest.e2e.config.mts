import { mergeConfig } from 'vitest/config';
import { realNxSuite } from '../../tools/engine/test/real-nx-suite.js';

// Real Nx runs in temporary workspaces with the plugin installed from its tarball,
// once per run (e2e/template-setup.ts). Two files at a time even on 2 cores
// (Vitest's default there is one): a file spends much of its time waiting on the
// engine and the registry, and this suite is the longest part of CI. Each file
// has its own workspaces, registry namespaces and extra engines, so they do not meet.
export default mergeConfig(realNxSuite('e2e/**/*.spec.ts'), { test: { maxWorkers: 2, globalSetup: ['e2e/template-setup.ts'] } });
