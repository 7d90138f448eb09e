/**
 * Staleness (maxAge): an image the registry holds under its content tag is
 * still rebuilt when it is too old to carry today's patched upstream layers,
 * or when it was built on another digest of a base than the one this run has
 * (a base rebuilt as stale). Pure: the facts come from the registry (the
 * image's config), never from a local file or the engine.
 */

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** A maxAge as written (`30d`) and in milliseconds. */
export interface MaxAge {
  text: string;
  ms: number;
}

/** `30d`, `12h`, `2w`, `90m`, `45s`: a positive whole number and a unit; anything else is an error naming the option. */
export function parseMaxAge(value: unknown): MaxAge | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = typeof value === 'string' ? /^\s*(\d+)\s*([smhdw])\s*$/.exec(value) : null;
  if (!match || Number(match[1]) === 0) {
    throw new Error(`maxAge ${JSON.stringify(value)} is not an age; write a whole number and a unit: s, m, h, d or w (e.g. "30d")`);
  }
  return { text: `${Number(match[1])}${match[2]}`, ms: Number(match[1]) * UNITS[match[2]] };
}

/** What the registry's image under the content tag says of itself (its config). */
export interface RegistryImage {
  /** The config's `created`, as written (RFC 3339); the oldest of an index's images. */
  created?: string;
  /** Its `dev.imagewise.base-images` label: the exact bases it was built on, by the name the Dockerfile used. */
  baseImages?: Record<string, string>;
}

export type StaleKind = 'too-old' | 'base-moved';

export interface Staleness {
  kind: StaleKind;
  /** Said in the log and kept in metadata.json. */
  reason: string;
}

/**
 * Whether an image the registry holds must be rebuilt under maxAge: older
 * than maxAge (by its config's `created`), or built on a base digest other
 * than the one this run's base has, e.g. a base that this run rebuilt as
 * stale, whose content tag moved to a fresh build. Unknown facts (no
 * `created`, no base-images label) never make an image stale.
 */
export function staleness(input: {
  maxAge?: MaxAge;
  now: number;
  image?: RegistryImage;
  /** The exact bases this run builds on (BuildFacts.baseImages). */
  baseImages: Record<string, string>;
}): Staleness | undefined {
  const { maxAge, now, image } = input;
  if (!maxAge || !image) return undefined;
  const created = image.created ? Date.parse(image.created) : Number.NaN;
  if (!Number.isNaN(created) && now - created > maxAge.ms) {
    return { kind: 'too-old', reason: `created ${image.created} (${ageText(now - created)} ago), older than maxAge ${maxAge.text}` };
  }
  const moved = Object.keys(input.baseImages)
    .sort()
    .filter((name) => {
      const was = digestOf(image.baseImages?.[name]);
      const is = digestOf(input.baseImages[name]);
      return was !== undefined && is !== undefined && was !== is;
    });
  if (moved.length) {
    const which = moved.map((name) => `${name} (${digestOf(image.baseImages![name])} → ${digestOf(input.baseImages[name])})`).join(', ');
    return { kind: 'base-moved', reason: `built on another digest of ${which}, rebuilt since (maxAge ${maxAge.text})` };
  }
  return undefined;
}

/** The digest an exact reference names (`repo@sha256:…`); undefined for a tag. */
export function digestOf(reference: string | undefined): string | undefined {
  const at = reference?.lastIndexOf('@') ?? -1;
  return at >= 0 ? reference!.slice(at + 1) : undefined;
}

/** `61 days`, `5 hours`, `12 minutes`: for people. */
export function ageText(ms: number): string {
  const days = Math.floor(ms / UNITS.d);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(ms / UNITS.h);
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const minutes = Math.max(0, Math.floor(ms / UNITS.m));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
