import { jsonKeyLines, parseJson } from './json-text';
import { libraryByNpmName } from './names';
import { classifyNpmSpec, installedPackageName } from './npm-spec';
import type { FoundUses, InternalLibrary, SourceFile } from './types';

export const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** Uses of the internal libraries' npm packages in a package.json: one per dependency entry that installs one. */
export function packageJsonUses(file: SourceFile, libraries: InternalLibrary[]): FoundUses {
  const found: FoundUses = { uses: [], problems: [] };
  const parsed = parseJson(file.text);
  if ('error' in parsed) {
    found.problems.push({
      file: file.path,
      line: parsed.line,
      message: `package.json is not valid JSON (${parsed.error}); fix it so Imagewise can see which version of the internal library the image asks for`,
    });
    return found;
  }
  if (!isRecord(parsed.value)) {
    found.problems.push({ file: file.path, line: 1, message: 'package.json does not hold a JSON object; fix it so Imagewise can read its dependencies' });
    return found;
  }
  const lineOfKey = jsonKeyLines(file.text);
  for (const section of DEPENDENCY_SECTIONS) {
    const dependencies = parsed.value[section];
    if (!isRecord(dependencies)) continue;
    for (const [key, value] of Object.entries(dependencies)) {
      const line = lineOfKey([section, key]) ?? 1;
      if (typeof value !== 'string') {
        if (libraryByNpmName(libraries, key)) {
          found.problems.push({
            file: file.path,
            line,
            message: `${section}["${key}"] is not a string; write a version range such as "^1.4.0" or "workspace:*"`,
          });
        }
        continue;
      }
      const spec = classifyNpmSpec(value);
      const library = libraryByNpmName(libraries, installedPackageName(key, spec));
      if (!library) continue;
      if (spec.kind === 'invalid') {
        found.problems.push({ file: file.path, line, message: `${section}["${key}"]: ${spec.message}` });
        continue;
      }
      found.uses.push({ library: library.project, file: file.path, line, source: 'package.json', spec: value, section });
    }
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
