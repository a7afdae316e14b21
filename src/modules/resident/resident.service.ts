import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { readableNode } from '../regions/regions.service.ts';
import { qrCodeSvg } from './qr-svg.ts';
import { findPlacesByCode } from './resident.repository.ts';

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** What the QR page shows about the place whose code it was opened with. */
export async function placeByCode(context: AppContext, code: string, cityCode?: string) {
  const rows = await findPlacesByCode(context.database, code, cityCode);
  if (rows.length > 1) throw new AppError('validation_failed', 'The place code exists in several cities: give cityCode');
  const [row] = rows;
  if (!row) throw notFound('Place');
  return {
    cityCode: row.city_code,
    cityName: row.city_name,
    level: row.level,
    placeName: row.name,
    address: row.address ?? null,
    gridName: row.grid_name ?? null,
    communityName: row.community_name ?? null,
    lng: numberOrNull(row.centroid_lng),
    lat: numberOrNull(row.centroid_lat),
  };
}

/** The resident page a building's or grid's QR code opens. */
export const residentPageUrl = (baseUrl: string, code: string) => `${baseUrl.replace(/\/+$/, '')}/r/${encodeURIComponent(code)}`;

/** A printable QR code for a building or grid the actor may read. */
export async function regionQrCode(context: AppContext, actor: Actor, regionId: number, baseUrl: string) {
  const node = await readableNode(context, actor, regionId);
  if (node.level !== 'building' && node.level !== 'grid') throw new AppError('validation_failed', 'QR codes are made for buildings and grids only');
  const url = residentPageUrl(baseUrl, node.code);
  const svg = qrCodeSvg(url, { title: node.address ?? node.name, subtitle: '扫码反映问题 · 民情直通', footnote: url });
  return { svg, code: node.code };
}
