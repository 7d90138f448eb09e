import { mergeConfig } from 'vitest/config';
import { realNxSuite } from '../engine/test/real-nx-suite.ts';

// The pipelines suite runs real Nx and Docker builds in workspaces that link one
// install of Nx and the packed plugin, made once per run by the plugin's e2e setup.
export default mergeConfig(realNxSuite('test/**/*.spec.ts'), { test: { globalSetup: ['../../packages/nx-plugin/e2e/template-setup.ts'] } });
