import type { Me } from '../../api.ts';

/** The places the user's roles cover (for the create forms), without duplicates. */
export const placesOf = (me: Me | null, levels: string[]) =>
  (me?.roles ?? [])
    .filter((r) => r.regionNodeId !== null && levels.includes(String(r.regionLevel)))
    .map((r) => ({ value: Number(r.regionNodeId), label: r.regionName ?? String(r.regionNodeId) }))
    .filter((o, i, all) => all.findIndex((x) => x.value === o.value) === i);

export const statusColor: Record<string, string> = { draft: 'default', published: 'green', withdrawn: 'default', planned: 'blue', held: 'orange', adopted: 'green', rejected: 'red', deferred: 'gold', pending: 'default' };
