import { realNxSuite } from '../engine/test/real-nx-suite.ts';

// The pipelines suite installs Nx and the plugin into a template, then runs real Nx and Docker builds.
export default realNxSuite('test/**/*.spec.ts');
