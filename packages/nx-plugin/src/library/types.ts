import type { Problem } from '../graph/problems';
/** The workspace's internal library, in its npm and/or Python flavour. */
export interface InternalLibrary {
  /** Nx project name. */
  project: string;
  /** Current workspace version (from package.json or pyproject.toml). */
  version: string;
  /** npm package name, e.g. `@imagewise/common`. Compared exactly. */
  npmName?: string;
  /** Python distribution name, e.g. `imagewise-common`. Compared after PEP 503 normalisation. */
  pythonName?: string;
  /**
   * Dockerfile ARG naming the version, e.g. `COMMON_VERSION`. When absent,
   * {@link argNameOf} derives it from the unscoped npm name (then the Python
   * name, then the project name): `@imagewise/common` → `COMMON_VERSION`.
   */
  argName?: string;
}

export type LibraryUseSource = 'package.json' | 'requirements.txt' | 'pyproject.toml' | 'dockerfile-arg';

/** One place where an image project asks for an internal library. */
export interface LibraryUse {
  /** Project name of the InternalLibrary. */
  library: string;
  /** Workspace-relative path of the file that declares it. */
  file: string;
  /** 1-based line of the declaration. */
  line: number;
  source: LibraryUseSource;
  /**
   * The version requirement as written: `^1.4.0`, `workspace:*`, `file:../../packages/common`,
   * `npm:@imagewise/common@^1`, `>=1.4,<2`, `@ file:///src/common-py`, `1.5.0`.
   * An empty string means "any version" (a bare requirement such as `imagewise-common`).
   * A Poetry table without a version is written as a TOML inline table: `{ path = "../common-py" }`.
   */
  spec: string;
  /** Where in the file: `dependencies`, `project.optional-dependencies.http`, `tool.poetry.dependencies`, `ARG`… */
  section?: string;
  /** `poetry` when `spec` uses Poetry's constraint syntax (`^1.5`, `~1.5`, bare `1.5.0` = exact). */
  dialect?: 'poetry';
}

export type Match = { tracksWorkspace: true } | { tracksWorkspace: false; reason: string };

/** A problem in a file that declares a library use: the one Problem type of the graph. */
export type LibraryProblem = Problem;

export interface FoundUses {
  uses: LibraryUse[];
  problems: LibraryProblem[];
}

export interface SourceFile {
  /** Workspace-relative path. */
  path: string;
  text: string;
}
