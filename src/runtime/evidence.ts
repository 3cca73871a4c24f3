/** Evidence wiring: the audit anchor as several writers publish it at once, and the snapshot scope of one run. */
import type { SnapshotScope } from '../adapters/evidence/dynamodb-snapshot-store';
import type { AccountDirectory } from '../ports';
import type { AnchorStore, PublishedAnchor } from '../ports/evidence';

/**
 * An anchor store that never moves backwards. Fanned-out workers finish in any order; a worker that read the chain head
 * before another appended and anchored would otherwise overwrite a later anchor with an earlier one, and a truncation
 * of the entries between them would go unnoticed.
 */
export function forwardOnlyAnchor(store: AnchorStore): AnchorStore {
  return {
    description: store.description,
    latest: () => store.latest(),
    publish: async (anchor: PublishedAnchor) => {
      const current = await store.latest();
      if (current !== undefined && current.seq >= anchor.seq) return;
      await store.publish(anchor);
    },
  };
}

/** An account directory's account, or undefined while it is unknown (the ambient account before its first read). */
const accountOf = (directory: AccountDirectory): string | undefined => {
  try {
    return directory.account;
  } catch {
    return undefined;
  }
};

/** What one run reads, judged when its snapshot is saved (by then every directory has learnt its account). */
export function runScope(directories: readonly AccountDirectory[], hosts: boolean, identityCenter = false): () => SnapshotScope {
  return () => ({ accounts: directories.flatMap((d) => accountOf(d) ?? []), hosts, identityCenter });
}
