import { realNxSuite } from '../engine/test/real-nx-suite.ts';

// Each case runs real Nx (docker:lock against the mirror) in a fresh clone.
export default realNxSuite('test/**/*.spec.ts');
