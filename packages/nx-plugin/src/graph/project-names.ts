import { basename } from 'node:path/posix';
import type { ImageProject } from './image-project';

/**
 * Default names, unique by construction. An image project's name (when no
 * project.json or package.json names it) and its image name (when no
 * `imageName` option sets it) are its directory's name, as Nx would take it,
 * unless another image project's directory has the same name
 * (`images/x/amd64`, `images/y/amd64`): those take as many trailing path
 * segments as tell them apart (`x-amd64`, `y-amd64`). Names set explicitly are
 * kept, and a default never takes one of them. Adding a second `amd64`
 * directory renames the first; give a name explicitly where that matters.
 */
export function nameImageProjects(projects: ImageProject[]): ImageProject[] {
  // One name per directory, however many images it has.
  const roots = (list: ImageProject[]) => [...new Set(list.map((p) => p.root))];
  const projectNames = uniqueNames(
    roots(projects.filter((p) => p.name !== undefined)),
    projects.flatMap((p) => p.declared.projectName ?? []),
  );
  const imageNames = uniqueNames(
    roots(projects.filter((p) => p.declared.imageName === undefined && p.key === '')),
    projects.flatMap((p) => p.declared.imageName ?? []),
  );
  const primaryImageName = new Map(projects.filter((p) => p.key === '').map((p) => [p.root, p.declared.imageName ?? imageNames.get(p.root)!]));
  return projects.map((project) => {
    const name = project.name === undefined ? undefined : projectNames.get(project.root);
    // A secondary image is named after its project's image: `api-worker` (repository names are lowercase).
    const imageName =
      project.declared.imageName ??
      (project.key === '' ? imageNames.get(project.root)! : `${primaryImageName.get(project.root) ?? basename(project.root)}-${project.key.toLowerCase()}`);
    // The project may come from the graph cache: a copy, never a change in place.
    return name === project.name && imageName === project.imageName ? project : { ...project, name, imageName };
  });
}

/** A name per root: its last segment where no other root or taken name has it, else the shortest distinguishing suffix. */
export function uniqueNames(roots: string[], taken: string[]): Map<string, string> {
  // A Dockerfile at the workspace root keeps `.` as its directory's name, as before.
  const segments = new Map(roots.map((root) => [root, root === '.' ? ['.'] : root.split('/').filter((part) => part !== '')]));
  const suffix = (root: string, length: number) => segments.get(root)!.slice(-length).join('-');
  const claimed = new Set(taken);
  const byLast = new Map<string, string[]>();
  for (const root of roots) byLast.set(suffix(root, 1), [...(byLast.get(suffix(root, 1)) ?? []), root]);

  const names = new Map<string, string>();
  for (const [last, group] of byLast) {
    if (group.length === 1 && !claimed.has(last)) {
      names.set(group[0], last);
      continue;
    }
    for (const root of group) {
      const depth = segments.get(root)!.length;
      let length = 2;
      // Long enough that no other root of the group ends the same way, and not a taken name.
      while (length < depth && (group.some((other) => other !== root && suffix(other, length) === suffix(root, length)) || claimed.has(suffix(root, length))))
        length++;
      names.set(root, suffix(root, Math.min(length, depth)));
    }
  }
  return names;
}
