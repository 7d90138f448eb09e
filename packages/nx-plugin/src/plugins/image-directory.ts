import { readFileSync, readdirSync } from 'node:fs';

/** The files of an image project's directory that the graph reads. */
const GRAPH_FILE = /^(?:Dockerfile|\.dockerignore|project\.json|package\.json|pyproject\.toml|requirements.*\.txt|imagewise\.lock\.json)$/;

/**
 * Texts of the graph files of each image directory, by file name. createNodes
 * reads them (one readdir, then only files that exist) and createDependencies,
 * which Nx runs right after it in the same worker, takes them from here instead
 * of reading the disk again: graph code runs on every Nx command.
 */
let lastRead: { workspaceRoot: string; directories: Map<string, Map<string, string>> } | undefined;

export function readImageDirectories(workspaceRoot: string, roots: string[]): Map<string, Map<string, string>> {
  const directories = new Map(roots.map((root) => [root, readImageDirectory(workspaceRoot, root)]));
  lastRead = { workspaceRoot, directories };
  return directories;
}

/** The graph files of one image directory: from the last createNodes, else from disk. */
export function imageDirectory(workspaceRoot: string, root: string): Map<string, string> {
  const cached = lastRead?.workspaceRoot === workspaceRoot ? lastRead.directories.get(root) : undefined;
  return cached ?? readImageDirectory(workspaceRoot, root);
}

function readImageDirectory(workspaceRoot: string, root: string): Map<string, string> {
  const files = new Map<string, string>();
  // Plain concatenation: `root` comes from Nx already normalised, and join's
  // normalising shows in a profile at 1,000 directories.
  const directory = `${workspaceRoot}/${root}`;
  for (const name of readdirSync(directory)) {
    if (GRAPH_FILE.test(name)) files.set(name, readFileSync(`${directory}/${name}`, 'utf8'));
  }
  return files;
}
