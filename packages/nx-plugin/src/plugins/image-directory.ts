import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path/posix';
import type { Problem } from '../graph/problems';
import { readGraphFile } from './read-graph-file';

/** The files of an image project's directory that the graph reads. */
const GRAPH_FILE =
  /^(?:Dockerfile|Containerfile|Dockerfile\..+|.+\.Dockerfile|.*\.dockerignore|project\.json|package\.json|pyproject\.toml|requirements.*\.txt|imagewise\.lock\.json)$/;

/** An image directory's graph files: the text of each, by name, and those that could not be read. */
export interface ImageDirectory {
  files: Map<string, string>;
  /** One per file that exists but was not read (not a regular file, too large, unreadable). */
  problems: Problem[];
}

/**
 * The graph files of each image directory. createNodes reads them (one
 * readdir, then only files that exist) and createDependencies, which Nx runs
 * right after it in the same worker, takes them from here instead of reading
 * the disk again: graph code runs on every Nx command.
 */
let lastRead: { workspaceRoot: string; directories: Map<string, ImageDirectory> } | undefined;

export function readImageDirectories(workspaceRoot: string, roots: string[]): Map<string, ImageDirectory> {
  const directories = new Map(roots.map((root) => [root, readImageDirectory(workspaceRoot, root)]));
  lastRead = { workspaceRoot, directories };
  return directories;
}

/** The graph files of one image directory: from the last createNodes, else from disk. */
export function imageDirectory(workspaceRoot: string, root: string): ImageDirectory {
  const cached = lastRead?.workspaceRoot === workspaceRoot ? lastRead.directories.get(root) : undefined;
  return cached ?? readImageDirectory(workspaceRoot, root);
}

function readImageDirectory(workspaceRoot: string, root: string): ImageDirectory {
  const directory: ImageDirectory = { files: new Map(), problems: [] };
  // Plain concatenation: `root` comes from Nx already normalised, and join's
  // normalising shows in a profile at 1,000 directories.
  const path = `${workspaceRoot}/${root}`;
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    directory.problems.push({ file: root, line: 0, message: `cannot be listed (${code}): make the directory readable` });
    return directory;
  }
  for (const entry of entries) {
    const name = entry.name;
    if (!GRAPH_FILE.test(name)) continue;
    // Only a symlink can lead outside the workspace: resolving every path would cost a profile's worth.
    const read = readGraphFile(`${path}/${name}`, entry.isSymbolicLink() ? workspaceRoot : undefined);
    if ('text' in read) directory.files.set(name, read.text);
    else directory.problems.push({ file: join(root, name), line: 0, message: read.problem });
  }
  return directory;
}
