import { externalImageUses, type ImageUse } from '../../dockerfile/analyse';
import type { ImageProject } from '../../graph/image-project';
import { classifyImageUse, indexWorkspaceImages, registryFromArg, workspaceImageOf, type ClassifyOptions } from '../../graph/workspace-images';
import { DEFAULT_SCHEME, nameUnder, schemeTag } from '../../graph/tag-scheme';
import { valid as validSemver } from '../../library/semver';
import type { Edits } from './plan';
import { PIN_MARKER, markedAsPin } from '../../library/pins';
import { replaceOnLine, withTag } from './text-edit';

/** A tag that is an ARG: `…:${BASE_TAG}` or `…:$BASE_TAG`. */
const ARG_TAG = /:\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?["']?$/;

/**
 * FROM, COPY --from and RUN --mount from= that name a workspace base image at
 * a version other than its current one move to the current one: written in
 * the line itself, or in the default of the global ARG that gives the tag.
 */
export function planBaseImageUses(images: ImageProject[], options: ClassifyOptions, edits: Edits): void {
  const index = indexWorkspaceImages(images.map((p) => workspaceImageOf(p).image));
  // Images are known by their Dockerfile: a directory may hold several.
  const byDockerfile = new Map(images.map((image) => [image.dockerfile, image]));
  for (const image of images) {
    for (const use of externalImageUses(image.analysis)) {
      if (use.value === undefined) continue; // the graph reports why
      const target = classifyImageUse(use.value, registryFromArg(use.raw), index, options, image.pinMarkedLines.includes(use.line));
      if (target.kind === 'pinned') planUse(image, use, byDockerfile.get(target.project)!, target.pin, edits);
    }
  }
}

function planUse(image: ImageProject, use: ImageUse, base: ImageProject, pin: string, edits: Edits): void {
  const file = image.dockerfile;
  // As docker:drift words it.
  // Under the base's tag scheme (`cuda-1.1.0`), the version is what the scheme puts around it.
  const scheme = workspaceImageOf(base).image.tagScheme ?? DEFAULT_SCHEME;
  const what = `base image ${base.imageName} pinned at ${pin}; the workspace builds ${base.version ? schemeTag(scheme, base.version) : 'an unversioned image'}`;
  const text = edits.text(file);
  if (markedAsPin(text, use.line, false)) return edits.leave(file, use.line, `${what}: pinned on purpose (${PIN_MARKER}), left alone`);
  if (pin.includes(':')) return edits.leave(file, use.line, `${what}: a digest, left alone`);
  if (!base.version) return edits.leave(file, use.line, `${what}: ${base.root} has no version to follow, left alone`);
  if (!validSemver(nameUnder(pin, scheme) ?? '')) return edits.leave(file, use.line, `${what}: "${pin}" is not a version, left alone`);
  const current = schemeTag(scheme, base.version);
  const changed = `${base.imageName}:${pin} → ${base.imageName}:${current}, the base image's current version`;

  if (!use.raw.includes('$')) {
    const written = withTag(use.raw, pin, current);
    const edited = written === undefined ? undefined : replaceOnLine(text, use.line, undefined, use.raw, written);
    return edits.apply(file, use.line, edited, changed, `${what}: the reference is not on one line, left alone; edit it by hand`);
  }
  const argName = ARG_TAG.exec(use.raw)?.[1];
  const arg = image.analysis.globalArgs.find((global) => global.name === argName);
  if (!arg || arg.value !== pin || argName! in image.buildArgs) {
    return edits.leave(file, use.line, `${what}: the tag comes from a build variable Imagewise cannot rewrite, left alone; edit it by hand`);
  }
  if (markedAsPin(text, arg.line, false)) return edits.leave(file, arg.line, `${what}: pinned on purpose (${PIN_MARKER}), left alone`);
  // Several FROMs may share the ARG: the first one moved it.
  if (edits.changed.some((change) => change.file === file && change.line === arg.line)) return;
  const edited = replaceOnLine(text, arg.line, `${argName}=`, pin, current);
  edits.apply(file, arg.line, edited, `ARG ${argName}: ${changed}`, `${what}: ARG ${argName} is not on one line, left alone; edit it by hand`);
}
