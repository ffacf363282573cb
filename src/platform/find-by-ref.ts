/** Resolving a user's reference (an id, or else a name) among branches or snapshots. */
import { BranchNotFoundError } from '../errors.js';

/** The item whose id is `ref` (exact), else whose name is; BranchNotFoundError lists the names. */
export function findByIdOrName<T extends { id: string; name: string }>(items: readonly T[], ref: string): T {
  const found = items.find((x) => x.id === ref) ?? items.find((x) => x.name === ref);
  if (!found)
    throw new BranchNotFoundError(
      ref,
      items.map((x) => x.name),
    );
  return found;
}
