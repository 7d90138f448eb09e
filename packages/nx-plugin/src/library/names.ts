import type { InternalLibrary } from './types';

/** PEP 503 normalised form of a Python distribution name: lower case, runs of `-`, `_`, `.` become `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function samePythonName(a: string, b: string): boolean {
  return normalizePythonName(a) === normalizePythonName(b);
}

/** `@imagewise/common` → `COMMON_VERSION`, `imagewise-common` → `IMAGEWISE_COMMON_VERSION`, `commonUtils` → `COMMON_UTILS_VERSION`. */
export function defaultArgName(packageName: string): string {
  const unscoped = packageName.replace(/^@[^/]*\//, '');
  const snake = unscoped
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return `${snake}_VERSION`;
}

/** The Dockerfile ARG that names the library's version: the configured one, else derived from its name. */
export function argNameOf(library: InternalLibrary): string {
  return library.argName ?? defaultArgName(library.npmName ?? library.pythonName ?? library.project);
}

export function libraryByNpmName(libraries: InternalLibrary[], name: string): InternalLibrary | undefined {
  return libraries.find((library) => library.npmName === name);
}

export function libraryByPythonName(libraries: InternalLibrary[], name: string): InternalLibrary | undefined {
  return libraries.find((library) => library.pythonName !== undefined && samePythonName(library.pythonName, name));
}
