import { realNxSuite } from '../../tools/engine/test/real-nx-suite.js';

// Real Nx runs in temporary workspaces with the plugin installed from its tarball.
export default realNxSuite('e2e/**/*.spec.ts');
