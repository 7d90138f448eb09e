import { externalImageUses } from '../dockerfile/analyse';
import type { ImageProject } from './image-project';
import { findImageCycles } from './cycles';
import { limitProblems, type Problem } from './problems';
import {
  classifyImageUse,
  indexWorkspaceImages,
  lookalikeImage,
  registryFromArg,
  type ClassifyOptions,
  type ImageUseTarget,
  type WorkspaceImageIndex,
  workspaceImageOf,
} from './workspace-images';

/** A FROM / --from that names another workspace image at its workspace version. */
export interface WorkspaceImageDependency {
  /** Root of the image project it names (names are only known once Nx merges projects). */
  root: string;
  /** The Dockerfile of the image it names: a project may have several. */
  dockerfile: string;
  line: number;
}

/** A FROM / --from that names an upstream image: an external node. */
export interface UpstreamDependency {
  node: string;
  reference: string;
  line: number;
}

/** A FROM / --from that names a workspace image at another version: it uses a published release. */
export interface PinnedImage {
  root: string;
  imageName: string;
  pin: string;
  workspaceVersion?: string;
  line: number;
}

export interface ImageDependencies {
  images: WorkspaceImageDependency[];
  upstream: UpstreamDependency[];
  pinned: PinnedImage[];
}

export interface UpstreamNode {
  name: string;
  reference: string;
  /** The digest the lock (or the FROM itself) fixes; undefined when unlocked. */
  digest?: string;
}

export interface ImageGraph {
  /** By Dockerfile: each image's own uses. */
  dependencies: Map<string, ImageDependencies>;
  /** Roots of the base images: projects an image of another project builds FROM (or copies from). Folder names decide nothing. */
  baseImages: Set<string>;
  upstreamNodes: Map<string, UpstreamNode>;
  /** Each image's tag scheme, filled (`cuda-{version}`), by Dockerfile: only images that have one. */
  tagSchemes: Map<string, string>;
  problems: Problem[];
}

/**
 * Where FROM lines become edges: every image use of every Dockerfile is a
 * workspace image (an edge), a pinned release (reported), or an upstream image
 * (an external node whose hash is its locked digest).
 */
export function buildImageGraph(projects: ImageProject[], options: ClassifyOptions): ImageGraph {
  // An image is known by its Dockerfile: a directory may hold several.
  const byDockerfile = new Map(projects.map((p) => [p.dockerfile, p]));
  const problems: Problem[] = projects.flatMap((p) => p.problems);
  const tagSchemes = new Map<string, string>();
  const images = projects.map((project) => {
    const { image, filledScheme, problem } = workspaceImageOf(project);
    if (problem) problems.push(problem);
    if (filledScheme !== undefined) tagSchemes.set(project.dockerfile, filledScheme);
    return image;
  });
  const index = indexWorkspaceImages(images);
  const imageByDockerfile = new Map(images.map((image) => [image.project, image]));
  for (const [imageName, groups] of index.conflicts) {
    for (const claimants of groups) {
      for (const claimant of claimants) {
        // A few of the others, not all: with n claimants, n lists of n would fill the log.
        const others = claimants.filter((c) => c !== claimant).map((c) => c.dockerfile);
        const named = others.length > 3 ? `${others.slice(0, 3).join(', ')} and ${others.length - 3} more` : others.join(', ');
        const scheme = tagSchemes.get(claimant.project);
        problems.push({
          file: claimant.dockerfile,
          line: 0,
          message: `image name "${imageName}"${scheme ? ` with tag scheme "${scheme}"` : ''} is also claimed by ${named}; give each project its own imageName or tagScheme (docker:build options)`,
        });
      }
    }
  }

  // Many Dockerfiles name the same few images: classify each written form once.
  const targets = new Map<string, ImageUseTarget>();
  const classify = (value: string, raw: string, marked: boolean): ImageUseTarget => {
    const fromArg = registryFromArg(raw);
    const key = `${fromArg}\0${marked}\0${value}`;
    let target = targets.get(key);
    if (target === undefined) {
      target = classifyImageUse(value, fromArg, index, options, marked);
      targets.set(key, target);
    }
    return target;
  };
  const dependencies = new Map<string, ImageDependencies>();
  const digestsByNode = new Map<string, Map<string, string[]>>();
  const upstreamNodes = new Map<string, UpstreamNode>();
  for (const project of projects) {
    const found: ImageDependencies = { images: [], upstream: [], pinned: [] };
    for (const use of externalImageUses(project.analysis)) {
      if (use.value === undefined) continue; // the analysis reported why
      const target = classify(use.value, use.raw, project.pinMarkedLines.includes(use.line));
      if (target.kind === 'workspace') {
        if (target.project !== project.dockerfile)
          found.images.push({ root: byDockerfile.get(target.project)!.root, dockerfile: target.project, line: use.line });
        else problems.push({ file: project.dockerfile, line: use.line, message: `the image builds FROM itself ("${use.value}"); name a base image` });
      } else if (target.kind === 'pinned') {
        const image = imageByDockerfile.get(target.project)!;
        found.pinned.push({
          root: byDockerfile.get(target.project)!.root,
          imageName: image.imageName,
          pin: target.pin,
          workspaceVersion: image.version,
          line: use.line,
        });
      } else if (target.kind === 'upstream') {
        const digest = target.digest ?? project.lock[target.reference];
        const name = `docker:${target.reference}${target.digest ? `@${target.digest}` : ''}`;
        found.upstream.push({ node: name, reference: target.reference, line: use.line });
        upstreamNodes.set(name, { name, reference: target.reference, digest: target.digest });
        if (!target.digest) {
          const byDigest = digestsByNode.get(name) ?? new Map<string, string[]>();
          const key = digest ?? '';
          const dockerfiles = byDigest.get(key) ?? [];
          // A project naming the image twice (two FROMs) is still one project to report.
          if (!dockerfiles.includes(project.dockerfile)) byDigest.set(key, [...dockerfiles, project.dockerfile]);
          digestsByNode.set(name, byDigest);
        }
      } else {
        problems.push({ file: project.dockerfile, line: use.line, message: `${target.message}; fix the image name` });
      }
    }
    dependencies.set(project.dockerfile, found);
  }

  resolveLockedDigests(upstreamNodes, digestsByNode, problems, index);
  dropCycles(byDockerfile, dependencies, problems);
  // A project is a base image when another project builds on it, not when its own images build on each other.
  const baseImages = new Set(
    [...dependencies].flatMap(([dockerfile, found]) => found.images.filter((use) => use.root !== byDockerfile.get(dockerfile)!.root).map((use) => use.root)),
  );
  return { dependencies, baseImages, upstreamNodes, tagSchemes, problems: limitProblems(problems) };
}

/**
 * An upstream node's digest is what the lock files say. Lock files that
 * disagree about one reference are reported and the node keeps no digest, so
 * no one's cache entry is reused on a guess.
 */
function resolveLockedDigests(
  nodes: Map<string, UpstreamNode>,
  digestsByNode: Map<string, Map<string, string[]>>,
  problems: Problem[],
  index: WorkspaceImageIndex,
): void {
  // byDigest holds Dockerfiles: each image's own FROMs are reported on its own file.
  for (const [name, byDigest] of digestsByNode) {
    const node = nodes.get(name)!;
    const digests = [...byDigest.keys()];
    const unlocked = byDigest.get('') ?? [];
    const lookalike = unlocked.length ? lookalikeImage(node.reference, index) : undefined;
    for (const dockerfile of unlocked) {
      const message = lookalike
        ? `${node.reference} looks like workspace image "${lookalike.name}" under ${lookalike.prefix}, which the workspace does not recognise as its own: if it is, add "${lookalike.prefix}" to the plugin option "registries" (or make it "registry", where images are pushed); if it is someone else's image, run the docker:lock target to lock it`
        : `upstream image ${node.reference} has no locked digest; run the docker:lock target`;
      problems.push({ file: dockerfile, line: 0, message });
    }
    const locked = digests.filter((d) => d !== '');
    if (locked.length === 1) node.digest = locked[0];
    else if (locked.length > 1) {
      const who = locked.map((d) => `${byDigest.get(d)!.join(', ')} → ${d.slice(0, 19)}…`).join('; ');
      problems.push({
        file: byDigest.get(locked[0])![0],
        line: 0,
        message: `lock files disagree on ${node.reference} (${who}); run docker:lock for all of them`,
      });
    }
  }
}

/**
 * Images that build FROM each other in a cycle would each wait for the
 * others: the edge that closes each cycle is dropped and reported on its
 * FROM line. Done here, with every image project known, so the problem also
 * reaches the project's metadata.
 */
function dropCycles(byDockerfile: Map<string, ImageProject>, dependencies: Map<string, ImageDependencies>, problems: Problem[]): void {
  const edges = [...dependencies].flatMap(([source, found]) => found.images.map((use) => ({ source, target: use.dockerfile, line: use.line })));
  for (const { edge, path } of findImageCycles(edges)) {
    const found = dependencies.get(edge.source)!;
    found.images = found.images.filter((use) => !(use.dockerfile === edge.target && use.line === edge.line));
    const names = path.map((dockerfile) => byDockerfile.get(dockerfile)!.imageName).join(' → ');
    problems.push({ file: edge.source, line: edge.line, message: `images build FROM each other in a cycle (${names}); break it` });
  }
}
