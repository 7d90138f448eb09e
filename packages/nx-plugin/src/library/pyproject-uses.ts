import { libraryByPythonName } from './names';
import { parseRequirement } from './pep508';
import { poetryToPep440 } from './poetry-constraint';
import { isTomlError, parseTomlDocument, tomlErrorLine, type TomlDocument, type TomlTable as Table } from './toml';
import type { FoundUses, InternalLibrary, SourceFile } from './types';

/**
 * Uses of the internal libraries' Python distributions in a pyproject.toml:
 * PEP 621 `[project].dependencies` and `[project.optional-dependencies]`, PEP 735 `[dependency-groups]`
 * (PEP 508 strings), and Poetry's `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and
 * `[tool.poetry.group.<name>.dependencies]` (Poetry constraints, or tables with `version`/`path`/`git`/`url`).
 */
export function pyprojectUses(file: SourceFile, libraries: InternalLibrary[]): FoundUses {
  const found: FoundUses = { uses: [], problems: [] };
  let toml: TomlDocument;
  try {
    toml = parseTomlDocument(file.text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    found.problems.push({
      file: file.path,
      line: isTomlError(error) ? tomlErrorLine(file.text, error) : 1,
      message: `pyproject.toml is not valid TOML (${message}); fix it so Imagewise can see which version of the internal library the image asks for`,
    });
    return found;
  }
  const document = toml.value;
  // A declaration's line; the enclosing table's when the path is not declared as such (never, for a parsed text).
  const lineOf = (path: string[]): number => toml.lineOf(path) ?? toml.lineOf(path.slice(0, -1)) ?? 1;

  const pep508List = (list: unknown, keys: string[], section: string): void => {
    if (!Array.isArray(list)) return;
    for (const [index, entry] of list.entries()) {
      if (typeof entry !== 'string') continue; // e.g. PEP 735 `{ include-group = "test" }`
      const parsed = parseRequirement(entry);
      const name = 'requirement' in parsed ? parsed.requirement.name : parsed.name;
      const library = name === undefined ? undefined : libraryByPythonName(libraries, name);
      if (!library || name === undefined) continue;
      const line = lineOf([...keys, String(index)]);
      if ('error' in parsed) {
        found.problems.push({ file: file.path, line, message: `${section}: ${parsed.error}` });
      } else {
        found.uses.push({ library: library.project, file: file.path, line, source: 'pyproject.toml', spec: parsed.requirement.spec, section });
      }
    }
  };

  const poetryTable = (dependencies: unknown, keys: string[]): void => {
    if (!isTable(dependencies)) return;
    const section = keys.join('.');
    for (const [name, value] of Object.entries(dependencies)) {
      const library = libraryByPythonName(libraries, name);
      if (!library) continue;
      const line = lineOf([...keys, name]);
      for (const entry of Array.isArray(value) ? value : [value]) {
        const spec = poetrySpec(entry);
        if ('problem' in spec) {
          found.problems.push({ file: file.path, line, message: `${section}.${name}: ${spec.problem}` });
        } else {
          found.uses.push({ library: library.project, file: file.path, line, source: 'pyproject.toml', spec: spec.spec, section, dialect: 'poetry' });
        }
      }
    }
  };

  const project = asTable(document.project);
  pep508List(project.dependencies, ['project', 'dependencies'], 'project.dependencies');
  for (const [extra, list] of Object.entries(asTable(project['optional-dependencies']))) {
    pep508List(list, ['project', 'optional-dependencies', extra], `project.optional-dependencies.${extra}`);
  }
  for (const [group, list] of Object.entries(asTable(document['dependency-groups']))) {
    pep508List(list, ['dependency-groups', group], `dependency-groups.${group}`);
  }
  const poetry = asTable(asTable(document.tool).poetry);
  poetryTable(poetry.dependencies, ['tool', 'poetry', 'dependencies']);
  poetryTable(poetry['dev-dependencies'], ['tool', 'poetry', 'dev-dependencies']);
  for (const [group, table] of Object.entries(asTable(poetry.group))) {
    poetryTable(asTable(table).dependencies, ['tool', 'poetry', 'group', group, 'dependencies']);
  }
  return found;
}

const POETRY_SOURCES = ['path', 'git', 'url', 'file'];

/** The spec of one Poetry dependency value: its constraint, or its source table written inline. */
function poetrySpec(value: unknown): { spec: string } | { problem: string } {
  if (typeof value === 'string') return checkedConstraint(value);
  if (!isTable(value)) return { problem: 'write a version constraint such as "^1.5" or a table such as { version = "^1.5" }' };
  if (POETRY_SOURCES.some((key) => typeof value[key] === 'string')) return { spec: inlineTable(value) };
  if (typeof value.version === 'string') return checkedConstraint(value.version);
  return { spec: '*' };
}

function checkedConstraint(constraint: string): { spec: string } | { problem: string } {
  return poetryToPep440(constraint)
    ? { spec: constraint }
    : { problem: `"${constraint}" is not a Poetry version constraint; write one such as "^1.5", "~1.5.2", ">=1.4,<2" or "1.5.0"` };
}

/** `{ path = "../common-py", develop = true }`: the table's string, number and boolean entries, as TOML. */
function inlineTable(table: Table): string {
  const entries = Object.entries(table)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)} = ${JSON.stringify(value)}`);
  return `{ ${entries.join(', ')} }`;
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function asTable(value: unknown): Table {
  return isTable(value) ? value : {};
}
