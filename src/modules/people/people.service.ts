import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskAddress, maskIdNumber, maskName, maskPhone } from '../../shared/personal-data.ts';
import { appendAudit, appendAuditAlone } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { findNode } from '../regions/regions.repository.ts';
import { presentNode, readableNode } from '../regions/regions.service.ts';
import { sql } from 'drizzle-orm';
import * as repository from './people.repository.ts';
import type { ResidentRow } from './people.repository.ts';

export async function buildingDetail(context: AppContext, actor: Actor, id: number) {
  const building = await readableNode(context, actor, id);
  if (building.level !== 'building') throw notFound('Building');
  const grid = building.parentId ? await findNode(context.database, building.parentId) : null;
  const households = await repository.listHouseholdsOfBuilding(context.database, id);
  return {
    building: { ...presentNode(building), point: building.centroid, address: building.address },
    grid: grid ? presentNode(grid) : null,
    households: households.map((h) => ({ ...h, headName: maskName(h.headName), phone: maskPhone(h.phone) })),
  };
}

const presentResident = (actor: Actor, resident: ResidentRow, tags: Array<{ tag: string; setOn: string }>) => ({
  id: resident.id,
  householdId: resident.householdId,
  name: maskName(resident.name),
  gender: resident.gender,
  birthDate: resident.birthDate ? `${resident.birthDate.slice(0, 4)}-**-**` : null,
  phone: maskPhone(resident.phone),
  // The ciphertext never leaves the server; the mask shows the (non-identifying) region prefix and check digits.
  idNumber: resident.idNumberEncrypted ? '******' : null,
  relationToHead: resident.relationToHead,
  isHead: resident.isHead,
  tags,
  abilities: { reveal: can(actor, 'resident', 'reveal', { cityId: resident.cityId, regionPath: resident.regionPath }) },
});

export async function householdDetail(context: AppContext, actor: Actor, id: number) {
  const household = await repository.findHousehold(context.database, id);
  if (!household) throw notFound('Household');
  authorize(actor, 'household', 'read', { cityId: household.cityId, regionPath: household.regionPath });
  const residents = await repository.listResidentsOfHousehold(context.database, id);
  const tags = await repository.tagsOfResidents(context.database, residents.map((r) => r.id));
  const gridId = Number(household.regionPath.split('/').filter(Boolean).at(-2));
  return {
    household: { id: household.id, code: household.code, doorNumber: household.doorNumber, address: maskAddress(household.address), phone: maskPhone(household.phone), buildingId: household.buildingId, gridId },
    residents: residents.map((r) => ({ ...presentResident(actor, r, tags.get(r.id) ?? []), idNumber: maskIdOf(context, r) })),
  };
}

/** Masks an ID number by decrypting it server-side: first and last two characters only. */
function maskIdOf(context: AppContext, resident: ResidentRow): string | null {
  if (!resident.idNumberEncrypted) return null;
  try {
    return maskIdNumber(context.cipher.decrypt(resident.idNumberEncrypted));
  } catch {
    return '******';
  }
}

export async function residentDetail(context: AppContext, actor: Actor, id: number) {
  const resident = await repository.findResident(context.database, id);
  if (!resident) throw notFound('Resident');
  authorize(actor, 'resident', 'read', { cityId: resident.cityId, regionPath: resident.regionPath });
  const tags = await repository.tagsOfResidents(context.database, [id]);
  return { ...presentResident(actor, resident, tags.get(id) ?? []), idNumber: maskIdOf(context, resident) };
}

export type RevealField = 'name' | 'phone' | 'idNumber' | 'address';

/**
 * "Show full": a separate, authorised request that returns the unmasked fields and appends an audit
 * record in the same transaction as the read (refusals are audited too).
 */
export async function revealResident(context: AppContext, actor: Actor, id: number, fields: RevealField[]) {
  const resident = await repository.findResident(context.database, id);
  if (!resident) throw notFound('Resident');
  if (!can(actor, 'resident', 'reveal', { cityId: resident.cityId, regionPath: resident.regionPath })) {
    await appendAuditAlone(context.database, { ...auditOf(actor, 'resident.reveal', 'resident', id, { fields }), outcome: 'failure' });
    throw new AppError('forbidden', 'Not allowed to view the full personal data of this resident');
  }
  const household = fields.includes('address') ? await repository.findHousehold(context.database, resident.householdId) : null;
  const result: Partial<Record<RevealField, string | null>> = {};
  for (const field of new Set(fields)) {
    if (field === 'name') result.name = resident.name;
    if (field === 'phone') result.phone = resident.phone;
    if (field === 'idNumber') result.idNumber = resident.idNumberEncrypted ? context.cipher.decrypt(resident.idNumberEncrypted) : null;
    if (field === 'address') result.address = household?.address ?? null;
  }
  await context.database.db.transaction(async (tx) => {
    await appendAudit(context.database, tx, auditOf(actor, 'resident.reveal', 'resident', id, { fields: [...new Set(fields)] }));
  });
  return result;
}

export async function listResidents(context: AppContext, actor: Actor, query: { q?: string; tag?: string; regionId?: number; page: number; pageSize: number }) {
  requireAbility(actor, 'resident', 'read');
  const scope = scopeFor(actor, 'resident', 'read');
  let regionPath: string | undefined;
  if (query.regionId) regionPath = (await readableNode(context, actor, query.regionId)).path;
  const q = query.q?.trim() || undefined;
  const { items, total } = await repository.searchResidents(context.database, {
    cityId: actor.cityId,
    scopeFilter: regionPathFilter(sql.raw('r.region_path'), scope),
    q,
    qIdNumberHash: q && /^\d{17}[\dXx]$/.test(q) ? context.cipher.searchHash(q) : undefined,
    tag: query.tag,
    regionPath,
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  const tags = await repository.tagsOfResidents(context.database, items.map((r) => r.id));
  return {
    items: items.map((r) => ({
      ...presentResident(actor, r, tags.get(r.id) ?? []),
      idNumber: maskIdOf(context, r),
      buildingName: r.buildingName,
      gridName: r.gridName,
      doorNumber: r.doorNumber,
      tags: (tags.get(r.id) ?? []).map((t) => t.tag),
    })),
    page: query.page,
    pageSize: query.pageSize,
    total,
  };
}
