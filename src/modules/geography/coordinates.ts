/**
 * WGS-84 <-> GCJ-02 ("Mars coordinates") conversion, using the widely published public
 * "eviltransform" formulas (Krasovsky 1940 ellipsoid constants). Points outside the rough
 * China bounding box are returned unchanged.
 */

export type Crs = 'wgs84' | 'gcj02';

const A = 6378245.0;
const EE = 0.00669342162296594323;
const PI = Math.PI;

export function isOutOfChina(lng: number, lat: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * PI) + 320 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLng(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return ret;
}

/** GCJ-02 offset (dLng, dLat) in degrees at a WGS-84 position (no China check). */
function offset(lng: number, lat: number): [number, number] {
  let dLat = transformLat(lng - 105.0, lat - 35.0);
  let dLng = transformLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [dLng, dLat];
}

export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
  if (isOutOfChina(lng, lat)) return [lng, lat];
  const [dLng, dLat] = offset(lng, lat);
  return [lng + dLng, lat + dLat];
}

/**
 * Inverse of {@link wgs84ToGcj02} by fixed-point iteration: w <- w - (F(w) - g).
 * Converges to < 1e-9 degrees in a handful of iterations (stops at < 1e-10 or after 30 rounds;
 * the round-trip error is far below the 1e-7 degree requirement).
 */
export function gcj02ToWgs84(lng: number, lat: number): [number, number] {
  if (isOutOfChina(lng, lat)) return [lng, lat];
  let wLng = lng;
  let wLat = lat;
  for (let i = 0; i < 30; i++) {
    const [dLng, dLat] = offset(wLng, wLat);
    const eLng = wLng + dLng - lng;
    const eLat = wLat + dLat - lat;
    wLng -= eLng;
    wLat -= eLat;
    if (Math.abs(eLng) < 1e-10 && Math.abs(eLat) < 1e-10) break;
  }
  return [wLng, wLat];
}

/** Normalise a coordinate given in `crs` to WGS-84. */
export function toWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'gcj02') return gcj02ToWgs84(lng, lat);
  return [lng, lat];
}

/** Convert a WGS-84 coordinate to `crs` (e.g. for display on a GCJ-02 basemap such as AMap/Tencent). */
export function fromWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'gcj02') return wgs84ToGcj02(lng, lat);
  return [lng, lat];
}

/** True if both are finite numbers with lng in [-180, 180] and lat in [-90, 90]. */
export function isValidLngLat(lng: unknown, lat: unknown): boolean {
  return (
    typeof lng === 'number' &&
    typeof lat === 'number' &&
    Number.isFinite(lng) &&
    Number.isFinite(lat) &&
    lng >= -180 &&
    lng <= 180 &&
    lat >= -90 &&
    lat <= 90
  );
}

const EARTH_RADIUS_M = 6371008.8;

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function haversineMeters(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const toRad = PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLng = (lng2 - lng1) * toRad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}
