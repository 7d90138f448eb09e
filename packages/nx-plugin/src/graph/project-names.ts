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
  // One name per directory, however many images it has.
  const rootsOf = (list: ImageProject[]) => [...new Set(list.map((p) => p.root))];
  const projectNames = uniqueNames(
    rootsOf(projects.filter((p) => p.name !== undefined)),
    projects.flatMap((p) => p.declared.projectName ?? []),
  );
  // Directories by their primary image, which names the directory's images.
  const primaryByRoot = new Map(projects.filter((p) => p.key === '').map((p) => [p.root, p]));
  const isVariant = (p: ImageProject) =>
    p.key === '' && p.root !== '.' && primaryByRoot.has(dirname(p.root)) && p.declared.imageName === undefined && p.declared.tagScheme === undefined;
  const imageNames = uniqueNames(
    rootsOf(projects.filter((p) => p.declared.imageName === undefined && p.key === '' && !isVariant(p))),
    projects.flatMap((p) => p.declared.imageName ?? []),
  );
  const named = new Map<string, { imageName: string; tagScheme: string }>();
  const nameOf = (project: ImageProject): { imageName: string; tagScheme: string } => {
    let found = named.get(project.root);
    if (found === undefined) {
      const outer = isVariant(project) ? nameOf(primaryByRoot.get(dirname(project.root))!) : undefined;
      found = outer
        ? { imageName: outer.imageName, tagScheme: variantTemplate(outer.tagScheme, basename(project.root)) }
        : { imageName: project.declared.imageName ?? imageNames.get(project.root)!, tagScheme: project.tagScheme };
      named.set(project.root, found);
    }
    return found;
  };
  // A secondary image is named after its project's image: `api-worker` (repository names are lowercase);
  // a variant's, which shares its outer image's repository, after the variant too (`x-cuda-worker`).
  const secondaryName = (project: ImageProject): string => {
    const primary = primaryByRoot.get(project.root);
    const base =
      primary === undefined
        ? basename(project.root)
        : isVariant(primary)
          ? `${nameOf(primary).imageName}-${basename(project.root)}`
          : nameOf(primary).imageName;
    return `${base}-${project.key.toLowerCase()}`;
  };
  return projects.map((project) => {
    const name = project.name === undefined ? undefined : projectNames.get(project.root);
    const { imageName, tagScheme } =
      project.key === '' ? nameOf(project) : { imageName: project.declared.imageName ?? secondaryName(project), tagScheme: project.tagScheme };
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
