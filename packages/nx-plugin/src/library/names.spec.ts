import { describe, expect, it } from 'vitest';
import { argNameOf, defaultArgName, normalizePythonName, samePythonName } from './names';

describe('names', () => {
  it('normalises Python names as PEP 503 does', () => {
    expect(normalizePythonName('Imagewise_Common')).toBe('imagewise-common');
    expect(normalizePythonName('imagewise.-_common')).toBe('imagewise-common');
    expect(samePythonName('IMAGEWISE__COMMON', 'imagewise-common')).toBe(true);
    expect(samePythonName('imagewisecommon', 'imagewise-common')).toBe(false);
  });

  it('derives the ARG name from the unscoped package name', () => {
    expect(defaultArgName('@imagewise/common')).toBe('COMMON_VERSION');
    expect(defaultArgName('@imagewise/common-utils')).toBe('COMMON_UTILS_VERSION');
    expect(defaultArgName('commonUtils')).toBe('COMMON_UTILS_VERSION');
    expect(defaultArgName('imagewise.common')).toBe('IMAGEWISE_COMMON_VERSION');
  });

  it('prefers the configured ARG name, then the npm, Python and project names', () => {
    expect(argNameOf({ project: 'p', version: '1.0.0', npmName: '@imagewise/common', argName: 'LIB_VERSION' })).toBe('LIB_VERSION');
    expect(argNameOf({ project: 'p', version: '1.0.0', npmName: '@imagewise/common', pythonName: 'imagewise-common' })).toBe('COMMON_VERSION');
    expect(argNameOf({ project: 'p', version: '1.0.0', pythonName: 'imagewise-common' })).toBe('IMAGEWISE_COMMON_VERSION');
    expect(argNameOf({ project: 'common-lib', version: '1.0.0' })).toBe('COMMON_LIB_VERSION');
  });
});
