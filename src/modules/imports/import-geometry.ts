import { toWgs84 } from '../geography/coordinates.ts';
import type { CoordinateSystem, Parsed } from './import-kinds.ts';

type Position = [number, number];
type Ring = Position[];

export interface AreaGeometry {
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
  centroidLng: number;
  centroidLat: number;
}

const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

function ringOf(raw: unknown, crs: CoordinateSystem): Ring | string {
  if (!Array.isArray(raw)) return '坐标环不是数组 / A ring is not an array of positions';
  const ring: Ring = [];
  for (const position of raw) {
    if (!Array.isArray(position) || position.length < 2) return '坐标点格式错误 / A position is not [lng, lat]';
    const [lng, lat] = position as unknown[];
    if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
      return '坐标超出经纬度范围 / A position is outside the longitude/latitude range';
    }
    ring.push(toWgs84(lng, lat, crs));
  }
  if (ring.length > 0) {
    const [first, last] = [ring[0], ring[ring.length - 1]];
    if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  }
  if (ring.length < 4) return '多边形的环至少需要3个不同的点 / A polygon ring needs at least 3 distinct points';
  return ring;
}

function polygonOf(raw: unknown, crs: CoordinateSystem): Ring[] | string {
  if (!Array.isArray(raw) || raw.length === 0) return '多边形没有坐标 / The polygon has no rings';
  const rings: Ring[] = [];
  for (const rawRing of raw) {
    const ring = ringOf(rawRing, crs);
    if (typeof ring === 'string') return ring;
    rings.push(ring);
  }
  return rings;
}

/** Shoelace area and centroid terms of a ring, relative to an origin to keep precision. */
function ringMoments(ring: Ring, ox: number, oy: number): [number, number, number] {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const x0 = ring[i][0] - ox;
    const y0 = ring[i][1] - oy;
    const x1 = ring[i + 1][0] - ox;
    const y1 = ring[i + 1][1] - oy;
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  return [a / 2, cx / 6, cy / 6];
}

/**
 * Validates a Polygon/MultiPolygon, converts it to WGS-84 and computes its bounding box and
 * area-weighted centroid (holes subtract; falls back to the box centre for degenerate shapes).
 */
export function normaliseAreaGeometry(raw: unknown, crs: CoordinateSystem): Parsed<AreaGeometry> {
  const geometry = raw as { type?: unknown; coordinates?: unknown } | null;
  if (!geometry || typeof geometry !== 'object') return bad('缺少几何图形 / The feature has no geometry');
  let polygons: Ring[][];
  if (geometry.type === 'Polygon') {
    const polygon = polygonOf(geometry.coordinates, crs);
    if (typeof polygon === 'string') return bad(polygon);
    polygons = [polygon];
  } else if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) return bad('多边形没有坐标 / The multipolygon has no polygons');
    polygons = [];
    for (const rawPolygon of geometry.coordinates) {
      const polygon = polygonOf(rawPolygon, crs);
      if (typeof polygon === 'string') return bad(polygon);
      polygons.push(polygon);
    }
  } else {
    return bad(`几何类型应为 Polygon 或 MultiPolygon，实际为 ${String(geometry.type)} / The geometry must be a Polygon or MultiPolygon, not ${String(geometry.type)}`);
  }
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (const polygon of polygons) {
    for (const [lng, lat] of polygon[0]) {
      if (lng < minLng) minLng = lng;
      if (lng > maxLng) maxLng = lng;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  }
  const ox = minLng;
  const oy = minLat;
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      const [a, cx, cy] = ringMoments(ring, ox, oy);
      // Outer rings count positive and holes negative, whatever their winding.
      const sign = (index === 0 ? 1 : -1) * Math.sign(a || 1);
      area += sign * a;
      sx += sign * cx;
      sy += sign * cy;
    });
  }
  const degenerate = Math.abs(area) < 1e-18;
  const centroidLng = degenerate ? (minLng + maxLng) / 2 : ox + sx / area;
  const centroidLat = degenerate ? (minLat + maxLat) / 2 : oy + sy / area;
  return {
    ok: true,
    value: {
      geometry: polygons.length === 1 && geometry.type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
      minLng,
      minLat,
      maxLng,
      maxLat,
      centroidLng,
      centroidLat,
    },
  };
}
