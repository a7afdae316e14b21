import { sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { AppError } from './errors.ts';

/**
 * Fixed-window rate limit shared by every server process: one upsert on rate_limit_counters returns the
 * window's count. A limit of 0 or less means "no limit". Throws 429 `rate_limited` with the retry time.
 */
export async function enforceRateLimit(context: AppContext, bucket: string, limit: number, windowSeconds: number, message = 'Too many requests from here: please try again later', now = new Date()): Promise<void> {
  if (limit <= 0) return;
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = await context.database.rows<{ count: number }>(sql`
    INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (${bucket}, ${windowStart.toISOString()}, 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
    RETURNING count`);
  if (Number(row.count) > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
    throw new AppError('rate_limited', message, { bucket: bucket.split(':')[0], limit, retryAfterSeconds });
  }
}

/** Old windows are useless: the SLA sweeper's housekeeping drops them now and then. */
export async function pruneRateLimitCounters(context: AppContext, olderThan: Date) {
  await context.database.db.execute(sql`DELETE FROM rate_limit_counters WHERE window_start < ${olderThan.toISOString()}`);
}
