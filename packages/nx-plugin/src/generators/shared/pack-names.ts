import { normalizePythonName } from '../../library';

/**
 * File names of a library's packed archive, as the docker:build executor
 * stages it under `.imagewise/packs/`, with the version left to a Dockerfile
 * expression (`${COMMON_VERSION}`).
 */
export function npmTarballName(npmName: string, version: string): string {
  // What `npm pack` writes: `@imagewise/common` → `imagewise-common-1.5.0.tgz`.
  return `${npmName.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/**
 * The wheels of one version of a Python library, as a COPY source glob: the
 * normalised name with underscores (PEP 427), the version, any tags:
 * `imagewise_common-1.5.0-*.whl` matches `imagewise_common-1.5.0-py3-none-any.whl`.
 */
export function pythonWheelPattern(pythonName: string, version: string): string {
  return `${normalizePythonName(pythonName).replace(/-/g, '_')}-${version}-*.whl`;
}
