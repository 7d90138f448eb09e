import { minimatch } from 'minimatch';
import { isStagingTag } from '../build/staging-tag';
import { DEFAULT_SCHEME, isDefaultScheme, latestTag, nameUnder, schemeTag, type TagScheme } from '../graph/tag-scheme';

/** One manifest of the repository, as the registry holds it. */
export interface ManifestFacts {
  digest: string;
  /** The image config's `created` (for an index, its first image's), ms since the epoch; undefined when unknown. */
  created?: number;
  /** The manifests an index names; none for an image. */
  children: string[];
  /** Config and layers by digest, with their sizes in bytes. */
  blobs: Record<string, number>;
  /** The manifest's own bytes. */
  size: number;
}

/** A repository's tags and every manifest they reach (an index's children too). */
export interface RepositoryFacts {
  repository: string;
  tags: Array<{ tag: string; digest: string }>;
  manifests: Record<string, ManifestFacts>;
}

export interface PruneRules {
  /** Tags whose image is older than this (ms) may go… */
  olderThanMs: number;
  /** …unless their image is among the newest `keep` of the repository. */
  keep: number;
  /** Glob patterns of tags that always stay (`release-*`). */
  protect: string[];
  /** Digests a deployment manifest names, with the manifest that names each. */
  deployed: Map<string, string>;
  now: number;
  /** The tag schemes of the images sharing the repository: their latest and releases stay too. Default: none. */
  schemes?: TagScheme[];
}

export interface TagDecision {
  tag: string;
  digest: string;
  created?: number;
  remove: boolean;
  reason: string;
}

export interface PrunePlan {
  repository: string;
  /** Every tag, oldest image first. */
  tags: TagDecision[];
  /** What to DELETE, in order: an index before the images it names. */
  deletes: string[];
  /** Bytes of blobs and manifests the deleted manifests alone use (here): what the registry's garbage collection can free. */
  reclaimableBytes: number;
}

const DAY = 86_400_000;

/** `14d`, `12h`, `2w`, `30m`, `0d` as milliseconds; throws for anything else. */
export function parseAge(text: string): number {
  const match = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (!match) throw new Error(`olderThan ${JSON.stringify(text)} is not an age: write a number and m, h, d or w (14d, 12h, 2w)`);
  const unit = { m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

/** A release: a semantic version, with or without a leading `v` (1.4.0, v2.0.0-rc.1). */
export function isReleaseVersion(tag: string): boolean {
  return /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(tag);
}

/** Why a tag itself protects its image, if it does. */
function tagProtection(tag: string, protect: string[], schemes: TagScheme[]): string | undefined {
  // The closest-fitting scheme first: `8.0.1-jammy-amd64` is a release of `{version}-jammy-amd64`, not a prerelease.
  for (const scheme of [...schemes].sort((a, b) => b.before.length + b.after.length - (a.before.length + a.after.length))) {
    const name = nameUnder(tag, scheme);
    if (tag === latestTag(scheme) || name === 'latest') return isDefaultScheme(scheme) ? 'latest' : `latest of tag scheme ${schemeTag(scheme, '{version}')}`;
    if (name !== undefined && isReleaseVersion(name))
      return isDefaultScheme(scheme) ? 'release version' : `release version of tag scheme ${schemeTag(scheme, '{version}')}`;
  }
  const pattern = protect.find((glob) => minimatch(tag, glob, { dot: true }));
  return pattern === undefined ? undefined : `matches ${JSON.stringify(pattern)}`;
}

/**
 * The plan for one repository, from the facts alone. Decisions are per image
 * (digest), since a delete is by digest and takes every tag on it:
 *
 * 1. kept, always: a digest any tag protects (`latest`, a release version, a
 *    `protect` pattern), a digest a deployment manifest names (or an index
 *    holding one), and anything a kept index names;
 * 2. removed: a digest only the staging tag names (Imagewise's own leftover);
 * 3. kept: the newest `keep` images, then images younger than `olderThan`,
 *    then images whose age is unknown;
 * 4. removed: the rest.
 *
 * Each tag gets its image's decision; a tag that would go on its own but
 * shares its digest with a kept tag stays, and says so.
 */
export function planPrune(facts: RepositoryFacts, rules: PruneRules): PrunePlan {
  const tagsOf = new Map<string, string[]>();
  for (const { tag, digest } of facts.tags) tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tag]);
  const created = (digest: string) => facts.manifests[digest]?.created;
  const byAge = [...tagsOf.keys()].sort((a, b) => (created(b) ?? Infinity) - (created(a) ?? Infinity) || a.localeCompare(b));

  const reasons = new Map<string, Decision>();
  const ranked = byAge.filter((digest) => tagsOf.get(digest)!.some((tag) => !isStagingTag(tag)));
  for (const digest of byAge) reasons.set(digest, decideImage(digest, tagsOf.get(digest)!, ranked.indexOf(digest), facts, rules));

  // A kept index keeps what it names: a removed digest it reaches stays.
  const reach = (digest: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(digest)) return seen;
    seen.add(digest);
    for (const child of facts.manifests[digest]?.children ?? []) reach(child, seen);
    return seen;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const [digest, decision] of reasons) {
      if (decision.remove) continue;
      for (const reached of reach(digest)) {
        if (reached !== digest && reasons.get(reached)?.remove) {
          reasons.set(reached, { remove: false, reason: `named by the kept index ${digest} (${tagsOf.get(digest)![0]})` });
          changed = true;
        }
      }
    }
  }

  const tags: TagDecision[] = [];
  for (const digest of [...byAge].reverse()) {
    const decision = reasons.get(digest)!;
    for (const tag of [...tagsOf.get(digest)!].sort()) {
      const reason = decision.by && decision.by !== tag ? `shares its digest with ${decision.by}, ${decision.reason}` : decision.reason;
      tags.push({ tag, digest, created: created(digest), remove: decision.remove, reason });
    }
  }

  const kept = new Set<string>();
  for (const [digest, decision] of reasons) if (!decision.remove) reach(digest, kept);
  const deletes: string[] = [];
  for (const digest of [...byAge].reverse()) {
    if (!reasons.get(digest)!.remove) continue;
    for (const reached of reach(digest)) if (!kept.has(reached) && !deletes.includes(reached) && !rules.deployed.has(reached)) deletes.push(reached);
  }
  return { repository: facts.repository, tags, deletes, reclaimableBytes: reclaimable(facts, deletes, kept) };
}

/** An image's fate; `by` is the tag that protects it, when one does. */
interface Decision {
  remove: boolean;
  reason: string;
  by?: string;
}

function decideImage(digest: string, tags: string[], rank: number, facts: RepositoryFacts, rules: PruneRules): Decision {
  for (const tag of [...tags].sort()) {
    const why = tagProtection(tag, rules.protect, rules.schemes ?? [DEFAULT_SCHEME]);
    if (why) return { remove: false, reason: `protected: ${why}`, by: tag };
  }
  const deployedIn = rules.deployed.get(digest);
  if (deployedIn) return { remove: false, reason: `protected: deployed (the digest is in ${deployedIn})` };
  const deployedChild = facts.manifests[digest]?.children.find((child) => rules.deployed.has(child));
  if (deployedChild) return { remove: false, reason: `protected: deployed (its image ${deployedChild} is in ${rules.deployed.get(deployedChild)})` };
  if (tags.every(isStagingTag)) return { remove: true, reason: `Imagewise's leftover staging tag; no other tag names its digest` };
  const age = ageText(facts.manifests[digest]?.created, rules.now);
  if (rank >= 0 && rank < rules.keep) return { remove: false, reason: `among the newest ${rules.keep} images (#${rank + 1}), ${age}` };
  const made = facts.manifests[digest]?.created;
  if (made === undefined) return { remove: false, reason: 'age unknown (its image config has no created time)' };
  if (rules.now - made < rules.olderThanMs) return { remove: false, reason: `${age}, younger than ${durationText(rules.olderThanMs)}` };
  return { remove: true, reason: `${age}, older than ${durationText(rules.olderThanMs)} and not among the newest ${rules.keep}` };
}

/** Blob and manifest bytes the deleted manifests use that no kept manifest does. */
function reclaimable(facts: RepositoryFacts, deletes: string[], kept: Set<string>): number {
  const keptBlobs = new Set<string>();
  for (const digest of kept) for (const blob of Object.keys(facts.manifests[digest]?.blobs ?? {})) keptBlobs.add(blob);
  const freed = new Map<string, number>();
  for (const digest of deletes) {
    const manifest = facts.manifests[digest];
    if (!manifest) continue;
    freed.set(digest, manifest.size);
    for (const [blob, size] of Object.entries(manifest.blobs)) if (!keptBlobs.has(blob)) freed.set(blob, size);
  }
  return [...freed.values()].reduce((sum, size) => sum + size, 0);
}

function ageText(created: number | undefined, now: number): string {
  return created === undefined ? 'age unknown' : `created ${durationText(Math.max(0, now - created))} ago`;
}

/** 3d, 5h, 12m: the largest whole unit. */
export function durationText(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)}d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.floor(ms / 60_000)}m`;
}

/** 1.2 GB, 340 kB: bytes for people (SI units). */
export function bytesText(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
