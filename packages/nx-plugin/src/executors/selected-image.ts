import type { ExecutorContext } from 'nx/src/devkit-exports';
import { readImageMetadata, type ImageMetadata } from '../build/image-metadata';
import { imageOfOption, imageProjectOf, otherImagesNote, type ImageProjectEntry, type ProjectImage } from '../plugins/project-metadata';

/** The image docker:push, run, explain or prune acts on, and its project. */
export interface SelectedImage {
  entry: ImageProjectEntry;
  image: ProjectImage;
  /** Where the project has other images and the `image` option chose none: how to choose one. */
  note?: string;
}

/** The image of the executor's project that its `image` option (`key`) selects; an error saying what to do when there is none. */
export function selectImage(context: Pick<ExecutorContext, 'projectGraph' | 'projectName'>, target: string, key: string | undefined): SelectedImage {
  const project = context.projectName!;
  const entry = imageProjectOf(context);
  if (!entry) throw new Error(`${project} has no Dockerfile that Imagewise reads; ${target} needs an image project`);
  const image = imageOfOption(project, entry.project.root, entry.metadata, key);
  const note = otherImagesNote(target, project, entry.metadata, key);
  return { entry, image, ...(note ? { note } : {}) };
}

/** What the selected image's build left (its metadata.json); an error naming the target to run when it has not been built. */
export function buildOutputOf(context: Pick<ExecutorContext, 'root' | 'projectName'>, image: ProjectImage): ImageMetadata {
  const project = context.projectName!;
  const built = readImageMetadata(context.root, project, image.key);
  if (!built) throw new Error(`${project} has no build output for ${image.imageName}: run ${project}:${image.buildTarget} first`);
  return built;
}
