import { basename, dirname } from 'node:path/posix';
import type { ImageProject } from './image-project';
import { variantTemplate } from './tag-scheme';

/**
 * Default names, unique by construction. An image project's name (when no
 * project.json or package.json names it) and its image name (when no
 * `imageName` option sets it) are its directory's name, as Nx would take it,
 * unless another image project's directory has the same name
 * (`images/x/amd64`, `images/y/amd64`): those take as many trailing path
 * segments as tell them apart (`x-amd64`, `y-amd64`). Names set explicitly are
 * kept, and a default never takes one of them. Adding a second `amd64`
 * directory renames the first; give a name explicitly where that matters.
 *
 * A variant — an image directory inside another's (`images/x/cuda` in
 * `images/x`) that sets neither `imageName` nor `tagScheme` — is the outer
 * image's repository with the directory's name before the version in its
 * tags (`cuda-{version}`); variants nest (`cuda-12-{version}`).
 */
export function nameImageProjects(projects: ImageProject[]): ImageProject[] {
  const projectNames = uniqueNames(
    projects.filter((p) => p.name !== undefined).map((p) => p.root),
    projects.flatMap((p) => p.declared.projectName ?? []),
  );
  const roots = new Set(projects.map((p) => p.root));
  const isVariant = (p: ImageProject) =>
    p.root !== '.' && roots.has(dirname(p.root)) && p.declared.imageName === undefined && p.declared.tagScheme === undefined;
  const imageNames = uniqueNames(
    projects.filter((p) => p.declared.imageName === undefined && !isVariant(p)).map((p) => p.root),
    projects.flatMap((p) => p.declared.imageName ?? []),
  );
  const byRoot = new Map(projects.map((p) => [p.root, p]));
  const named = new Map<string, { imageName: string; tagScheme: string }>();
  const nameOf = (project: ImageProject): { imageName: string; tagScheme: string } => {
    let found = named.get(project.root);
    if (found === undefined) {
      const outer = isVariant(project) ? nameOf(byRoot.get(dirname(project.root))!) : undefined;
      found = outer
        ? { imageName: outer.imageName, tagScheme: variantTemplate(outer.tagScheme, basename(project.root)) }
        : { imageName: project.declared.imageName ?? imageNames.get(project.root)!, tagScheme: project.tagScheme };
      named.set(project.root, found);
    }
    return found;
  };
  return projects.map((project) => {
    const name = project.name === undefined ? undefined : projectNames.get(project.root);
    const { imageName, tagScheme } = nameOf(project);
    // The project may come from the graph cache: a copy, never a change in place.
    const same = name === project.name && imageName === project.imageName && tagScheme === project.tagScheme;
    return same ? project : { ...project, name, imageName, tagScheme };
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
