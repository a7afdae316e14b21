import type { AppContext } from '../../context.ts';
import { CaseIdPool } from './intake.repository.ts';
import { IntakeBatcher } from './intake-batcher.ts';

/** How long a QR code's place and a city's categories are trusted before being read again. */
export const INTAKE_CACHE_TTL_MS = 30_000;

class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly ttlMs: number, private readonly max = 20_000) {}
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load();
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    return value;
  }
  clear() {
    this.entries.clear();
  }
}

/**
 * Per-process intake caches: what a QR code points at and each city's categories change rarely, and
 * reading them on every report would cost two of the few round trips an intake has. A grid redrawn
 * or a category edited is picked up within INTAKE_CACHE_TTL_MS.
 */
export interface IntakeCaches {
  places: TtlMap<unknown>;
  categories: TtlMap<unknown>;
  caseIds: CaseIdPool;
  batcher: IntakeBatcher;
}

const caches = new WeakMap<AppContext, IntakeCaches>();

export function intakeCaches(context: AppContext): IntakeCaches {
  let found = caches.get(context);
  if (!found) {
    found = { places: new TtlMap(INTAKE_CACHE_TTL_MS), categories: new TtlMap(INTAKE_CACHE_TTL_MS), caseIds: new CaseIdPool(context.database), batcher: new IntakeBatcher(context.database) };
    caches.set(context, found);
  }
  return found;
}
