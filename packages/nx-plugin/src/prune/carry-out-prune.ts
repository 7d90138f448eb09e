import { createHash } from 'node:crypto';
import type { ImageReference } from '../image-reference/reference';
import { DeleteRefusedError, type RegistryClient } from '../registry/registry-client';
import { bytesText, type PrunePlan } from './prune-plan';
import { currentTagDigests } from './repository-facts';

/** A digest no manifest has: deleting it asks the registry whether it deletes at all (404) or refuses (405, 403). */
const PROBE_DIGEST = `sha256:${createHash('sha256').update('imagewise delete probe: no manifest has this digest').digest('hex')}`;

export interface PruneOutcome {
  /** Digests deleted, in order. */
  deleted: string[];
  /** Digests left alone because a tag outside the plan names them now. */
  skipped: string[];
  /** Tags that are gone. */
  removedTags: string[];
  /** What garbage collection can free; unknown when some digest was left alone. */
  reclaimableBytes?: number;
}

/** The plan as lines for people: each tag, kept or removed, and why; then what would go. */
export function describePlan(plan: PrunePlan, dryRun: boolean): string[] {
  // Content tags are 66 characters: columns line up for the shorter tags only.
  const width = Math.min(24, Math.max(0, ...plan.tags.map((t) => t.tag.length)));
  const lines = [`${plan.repository}: ${plan.tags.length} tag(s)`];
  for (const t of plan.tags) lines.push(`  ${t.remove ? 'remove' : 'keep  '} ${t.tag.padEnd(width)}  ${t.digest.slice(0, 19)}  ${t.reason}`);
  const removed = plan.tags.filter((t) => t.remove).length;
  const verb = dryRun ? 'would delete' : 'deletes';
  lines.push(
    plan.deletes.length
      ? `${dryRun ? 'dry run: ' : ''}${verb} ${plan.deletes.length} manifest(s) by digest, ${removed} tag(s); the registry can then reclaim up to ${bytesText(plan.reclaimableBytes)} (${plan.reclaimableBytes} bytes) by garbage collection`
      : `${dryRun ? 'dry run: ' : ''}nothing to remove`,
  );
  return lines;
}

/**
 * Deletes what the plan says, digest by digest, and nothing half-done on a
 * registry that refuses: a probe delete (of a digest no manifest has) comes
 * first, so deletes disabled or not permitted stop prune before anything goes.
 * Right before deleting, every tag is read again: a digest some tag outside the
 * plan names now (a build retagged it meanwhile) is left alone.
 */
export async function carryOutPrune(registry: RegistryClient, reference: ImageReference, plan: PrunePlan, log: (line: string) => void): Promise<PruneOutcome> {
  const outcome: PruneOutcome = { deleted: [], skipped: [], removedTags: [], reclaimableBytes: 0 };
  if (!plan.deletes.length) return outcome;
  const host = registry.registryHost(reference);
  try {
    await registry.deleteManifest(reference, PROBE_DIGEST);
  } catch (error) {
    if (error instanceof DeleteRefusedError) throw new DeleteRefusedError(`${error.message}. Nothing was deleted from ${host}/${reference.path}.`);
    throw error;
  }

  const removing = new Set(plan.tags.filter((t) => t.remove).map((t) => t.tag));
  const now = await currentTagDigests(registry, reference);
  const namedElsewhere = new Map<string, string>();
  for (const [tag, digest] of now) if (!removing.has(tag)) namedElsewhere.set(digest, tag);

  for (const digest of plan.deletes) {
    const other = namedElsewhere.get(digest);
    if (other) {
      outcome.skipped.push(digest);
      log(`left ${digest}: ${other} names it now (tagged since the plan was made)`);
      continue;
    }
    try {
      const result = await registry.deleteManifest(reference, digest);
      outcome.deleted.push(digest);
      log(`deleted ${digest}${result === 'absent' ? ' (already gone)' : ''}`);
    } catch (error) {
      const done = outcome.deleted.length ? `deleted before it: ${outcome.deleted.join(', ')}` : 'nothing was deleted';
      throw new Error(`${(error as Error).message}. Stopped at ${digest}; ${done}; left: ${plan.deletes.slice(plan.deletes.indexOf(digest)).join(', ')}`, {
        cause: error,
      });
    }
  }
  const deleted = new Set(outcome.deleted);
  outcome.removedTags = plan.tags.filter((t) => t.remove && deleted.has(t.digest)).map((t) => t.tag);
  outcome.reclaimableBytes = outcome.skipped.length ? undefined : plan.reclaimableBytes;
  return outcome;
}
