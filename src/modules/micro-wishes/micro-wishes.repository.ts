import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { MicroWishStatus } from './micro-wishes-lifecycle.ts';
import { numberOrNull } from '../../db/row-values.ts';

/** One wish with the names the wall and the console show (claimer's unit or party member, places). */
export interface WishRow {
  id: number;
  cityId: number;
  number: string;
  communityId: number;
  communityName: string;
  communityPath: string;
  regionPath: string;
  buildingId: number | null;
  buildingName: string | null;
  title: string;
  description: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone: string | null;
  photoKey: string | null;
  status: MicroWishStatus;
  claimedByUnitId: number | null;
  claimedByUnitName: string | null;
  claimedByPartyMemberId: number | null;
  claimedByPartyMemberName: string | null;
  claimedByUserId: number | null;
  claimedAt: Date | null;
  fulfilledAt: Date | null;
  fulfilmentNote: string | null;
  fulfilmentPhotoKey: string | null;
  confirmedAt: Date | null;
  thanksNote: string | null;
  createdBy: number | null;
  version: number;
  createdAt: Date;
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

const toRow = (r: Record<string, unknown>): WishRow => ({
  id: Number(r.id),
  cityId: Number(r.city_id),
  number: r.number as string,
  communityId: Number(r.community_id),
  communityName: r.community_name as string,
  communityPath: r.community_path as string,
  regionPath: r.region_path as string,
  buildingId: numberOrNull(r.building_id),
  buildingName: (r.building_name as string | null) ?? null,
  title: r.title as string,
  description: r.description as string,
  wisherKind: r.wisher_kind as string,
  wisherName: r.wisher_name as string,
  wisherPhone: (r.wisher_phone as string | null) ?? null,
  photoKey: (r.photo_key as string | null) ?? null,
  status: r.status as MicroWishStatus,
  claimedByUnitId: numberOrNull(r.claimed_by_unit_id),
  claimedByUnitName: (r.unit_name as string | null) ?? null,
  claimedByPartyMemberId: numberOrNull(r.claimed_by_party_member_id),
  claimedByPartyMemberName: (r.party_member_name as string | null) ?? null,
  claimedByUserId: numberOrNull(r.claimed_by_user_id),
  claimedAt: date(r.claimed_at),
  fulfilledAt: date(r.fulfilled_at),
  fulfilmentNote: (r.fulfilment_note as string | null) ?? null,
  fulfilmentPhotoKey: (r.fulfilment_photo_key as string | null) ?? null,
  confirmedAt: date(r.confirmed_at),
  thanksNote: (r.thanks_note as string | null) ?? null,
  createdBy: numberOrNull(r.created_by),
  version: Number(r.version),
  createdAt: new Date(r.created_at as string),
});

const selectWish = sql`
  SELECT w.*, cm.name AS community_name, cm.path AS community_path, b.name AS building_name, u.name AS unit_name, pm.name AS party_member_name
    FROM micro_wishes w
    JOIN region_nodes cm ON cm.id = w.community_id
    LEFT JOIN region_nodes b ON b.id = w.building_id
    LEFT JOIN units u ON u.id = w.claimed_by_unit_id
    LEFT JOIN party_members pm ON pm.id = w.claimed_by_party_member_id`;

export async function findWish(database: Database, where: SQL, executor?: Executor): Promise<WishRow | null> {
  const [row] = await database.rows<Record<string, unknown>>(sql`${selectWish} WHERE ${where}`, executor);
  return row ? toRow(row) : null;
}

export const findWishById = (database: Database, id: number, executor?: Executor) => findWish(database, sql`w.id = ${id}`, executor);
export const findWishByTokenHash = (database: Database, hash: string, executor?: Executor) => findWish(database, sql`w.tracking_token_hash = ${hash}`, executor);

/** A page of wishes matching `where`, newest first, and the total. */
export async function pageOfWishes(database: Database, where: SQL, limit: number, offset: number): Promise<{ items: WishRow[]; total: number }> {
  const rows = await database.rows<Record<string, unknown>>(sql`${selectWish} WHERE ${where} ORDER BY w.created_at DESC, w.id DESC LIMIT ${limit} OFFSET ${offset}`);
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM micro_wishes w WHERE ${where}`);
  return { items: rows.map(toRow), total: Number(total) };
}

/** Keyset batches for the Excel ledger (id order). */
export async function wishesAfter(database: Database, where: SQL, afterId: number, size: number): Promise<WishRow[]> {
  const rows = await database.rows<Record<string, unknown>>(sql`${selectWish} WHERE ${where} AND w.id > ${afterId} ORDER BY w.id LIMIT ${size}`);
  return rows.map(toRow);
}

export interface NewWish {
  cityId: number;
  number: string;
  trackingTokenHash: string;
  communityId: number;
  regionPath: string;
  buildingId: number | null;
  title: string;
  description: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone: string | null;
  photoKey: string | null;
  createdBy: number | null;
}

export async function insertWish(database: Database, tx: Executor, wish: NewWish): Promise<number> {
  const [row] = await database.rows<{ id: number }>(
    sql`INSERT INTO micro_wishes (city_id, number, tracking_token_hash, community_id, region_path, building_id, title, description, wisher_kind, wisher_name, wisher_phone, photo_key, created_by)
        VALUES (${wish.cityId}, ${wish.number}, ${wish.trackingTokenHash}, ${wish.communityId}, ${wish.regionPath}, ${wish.buildingId}, ${wish.title}, ${wish.description},
                ${wish.wisherKind}, ${wish.wisherName}, ${wish.wisherPhone}, ${wish.photoKey}, ${wish.createdBy})
        RETURNING id`,
    tx,
  );
  return Number(row.id);
}

/**
 * The claim itself: one conditional UPDATE. Of two claims racing for the same wish, the second waits for the
 * first's row lock, re-reads status = 'claimed' and updates nothing — it cannot overwrite the first claimer.
 */
export async function claimIfPosted(database: Database, tx: Executor, id: number, claimer: { unitId: number | null; partyMemberId: number | null; userId: number }): Promise<boolean> {
  const rows = await database.rows(
    sql`UPDATE micro_wishes SET status = 'claimed', claimed_by_unit_id = ${claimer.unitId}, claimed_by_party_member_id = ${claimer.partyMemberId},
               claimed_by_user_id = ${claimer.userId}, claimed_at = now(), version = version + 1, updated_at = now()
         WHERE id = ${id} AND status = 'posted' RETURNING id`,
    tx,
  );
  return rows.length === 1;
}

/** Any other step: the row was locked and checked by the caller; `from` guards it once more. */
export async function updateWishStatus(database: Database, tx: Executor, id: number, from: MicroWishStatus, set: SQL): Promise<boolean> {
  const rows = await database.rows(sql`UPDATE micro_wishes SET ${set}, version = version + 1, updated_at = now() WHERE id = ${id} AND status = ${from} RETURNING id`, tx);
  return rows.length === 1;
}

export async function lockWish(database: Database, tx: Executor, id: number): Promise<void> {
  await database.rows(sql`SELECT id FROM micro_wishes WHERE id = ${id} FOR UPDATE`, tx);
}

/** A current building or grid by its printed QR code (like the case intake), with the city. */
export async function placeOfCode(database: Database, code: string, cityCode?: string) {
  return database.rows<{ id: number; city_id: number; level: string; path: string; name: string }>(sql`
    SELECT n.id, n.city_id, n.level, n.path, n.name FROM region_nodes n JOIN cities c ON c.id = n.city_id
     WHERE n.code = ${code} AND n.valid_to IS NULL AND n.level IN ('building', 'grid') ${cityCode ? sql`AND c.code = ${cityCode}` : sql``}
     LIMIT 2`);
}

/** An upload for a wish, locked: who uploaded it and whether anything already uses it. */
export async function lockUpload(database: Database, tx: Executor, token: string) {
  const [row] = await database.rows<{ id: number; city_id: number | null; case_id: number | null; uploaded_by_user_id: number | null; uploaded_from_ip: string | null; used: boolean }>(
    sql`SELECT a.id, a.city_id, a.case_id, a.uploaded_by_user_id, a.uploaded_from_ip,
               EXISTS (SELECT 1 FROM micro_wishes w WHERE w.photo_key = a.upload_token OR w.fulfilment_photo_key = a.upload_token) AS used
          FROM attachments a WHERE a.upload_token = ${token} FOR UPDATE`,
    tx,
  );
  return row ? { ...row, id: Number(row.id), city_id: numberOrNull(row.city_id), case_id: numberOrNull(row.case_id), uploaded_by_user_id: numberOrNull(row.uploaded_by_user_id) } : null;
}

export async function markUploadCity(database: Database, tx: Executor, attachmentId: number, cityId: number) {
  await database.rows(sql`UPDATE attachments SET city_id = ${cityId} WHERE id = ${attachmentId}`, tx);
}

/** The stored file of a photo shown on the wall: the wish's or its fulfilment's, unless the wish was withdrawn. */
export async function wallPhotoStorageKey(database: Database, token: string): Promise<string | null> {
  const [row] = await database.rows<{ storage_key: string }>(sql`
    SELECT a.storage_key FROM attachments a
     WHERE a.upload_token = ${token}
       AND EXISTS (SELECT 1 FROM micro_wishes w WHERE (w.photo_key = ${token} OR w.fulfilment_photo_key = ${token}) AND w.status <> 'withdrawn')`);
  return row?.storage_key ?? null;
}
