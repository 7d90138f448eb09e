import { ageText, digestOf, staleness, type MaxAge } from '../build/staleness';

/** What the registry says of one image: its config and, for each workspace base it was built on, that base now. */
export interface ExplainFacts {
  /** `repository@digest`: the image explained. */
  image: string;
  created?: string;
  labels: Record<string, string>;
  /** Workspace bases (those under the registry), by the name the Dockerfile used. */
  bases: Record<string, BaseNow>;
  maxAge?: MaxAge;
  now: number;
}

export interface BaseNow {
  /** The base image's own `created`, at the digest this image was built on. */
  created?: string;
  /** Its content tag, from its label. */
  contentTag?: string;
  /** The digest its content tag names now: another one means the base was rebuilt since. */
  currentDigest?: string;
  /** Why it could not be read, when it could not. */
  problem?: string;
}

/**
 * The lines docker:explain prints: which commit, which Dockerfile, which
 * bases (digests) and library packs made the image, from its labels alone,
 * and whether maxAge makes it stale (its age, or a base rebuilt since or too
 * old itself, which rebuilds it in the next run).
 */
export function explainImage(facts: ExplainFacts): string[] {
  const { labels, now } = facts;
  const lines = [facts.image];
  const field = (name: string, value: string) => lines.push(`  ${`${name}:`.padEnd(18)}${value}`);
  const created = facts.created && !Number.isNaN(Date.parse(facts.created)) ? Date.parse(facts.created) : undefined;
  field(
    'created',
    facts.created ? `${facts.created}${created !== undefined ? ` (${ageText(now - created)} ago)` : ''}` : 'unknown (the config has no created time)',
  );
  field('commit', labels['org.opencontainers.image.revision'] ?? 'unknown (no org.opencontainers.image.revision label)');
  if (labels['org.opencontainers.image.source']) field('source', labels['org.opencontainers.image.source']);
  field('dockerfile', labels['dev.imagewise.dockerfile'] ?? 'unknown (no dev.imagewise.dockerfile label)');
  field('content identity', labels['dev.imagewise.content-identity'] ?? 'none: not built by Imagewise (no dev.imagewise.content-identity label)');

  const baseImages = jsonLabel<Record<string, string>>(labels['dev.imagewise.base-images']);
  if (!baseImages) field('base images', 'unknown (no dev.imagewise.base-images label)');
  else if (!Object.keys(baseImages).length) field('base images', 'none');
  else {
    lines.push('  base images:');
    for (const name of Object.keys(baseImages).sort()) lines.push(`    ${name} → ${baseImages[name]}${baseNote(facts.bases[name], baseImages[name], now)}`);
  }
  const packs = jsonLabel<string[]>(labels['dev.imagewise.library-packs']);
  field('library packs', packs?.length ? packs.join(', ') : 'none in its build context');
  lines.push(`  ${'stale:'.padEnd(18)}${staleText(facts, baseImages ?? {})}`);
  return lines;
}

function baseNote(base: BaseNow | undefined, reference: string, now: number): string {
  if (!base) return '';
  if (base.problem) return ` (not read: ${base.problem})`;
  const notes: string[] = [];
  if (base.created && !Number.isNaN(Date.parse(base.created))) notes.push(`created ${ageText(now - Date.parse(base.created))} ago`);
  if (base.contentTag && base.currentDigest === undefined) notes.push(`${base.contentTag} is gone from the registry`);
  else if (base.currentDigest && base.currentDigest !== digestOf(reference)) notes.push(`rebuilt since: ${base.contentTag} is now ${base.currentDigest}`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

function staleText(facts: ExplainFacts, baseImages: Record<string, string>): string {
  if (!facts.maxAge) return 'no maxAge set';
  // The bases as a build would find them now: each workspace base at the digest its content tag names.
  const current = { ...baseImages };
  for (const [name, base] of Object.entries(facts.bases)) {
    if (base.currentDigest && current[name]?.includes('@')) current[name] = `${current[name].slice(0, current[name].lastIndexOf('@'))}@${base.currentDigest}`;
  }
  const own = staleness({ maxAge: facts.maxAge, now: facts.now, image: { created: facts.created, baseImages }, baseImages: current });
  if (own) return `yes, under maxAge ${facts.maxAge.text}: ${own.reason}`;
  const oldBases = Object.keys(facts.bases)
    .sort()
    .filter((name) => staleness({ maxAge: facts.maxAge, now: facts.now, image: { created: facts.bases[name].created }, baseImages: {} }));
  if (oldBases.length) return `yes, under maxAge ${facts.maxAge.text}: its base ${oldBases.join(', ')} is older than that, and is rebuilt first`;
  return `no, under maxAge ${facts.maxAge.text}`;
}

function jsonLabel<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
