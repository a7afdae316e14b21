import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, haversineMeters, isValidLngLat, toWgs84, fromWgs84, wgs84ToGcj02 } from './coordinates.ts';

describe('WGS-84 <-> GCJ-02', () => {
  it('Tiananmen offset matches the published transform', () => {
    const [lng, lat] = wgs84ToGcj02(116.3913, 39.9071);
    expect(Math.abs(lng - 116.3975)).toBeLessThan(1e-3);
    expect(Math.abs(lat - 39.9085)).toBeLessThan(1e-3);
    const m = haversineMeters(116.3913, 39.9071, lng, lat);
    expect(m).toBeGreaterThan(200);
    expect(m).toBeLessThan(1000);
  });
  it('Zunyi offset is hundreds of metres', () => {
    const [lng, lat] = wgs84ToGcj02(106.9378, 27.6944);
    const m = haversineMeters(106.9378, 27.6944, lng, lat);
    expect(m).toBeGreaterThan(100);
    expect(m).toBeLessThan(1000);
  });
  it('round trip error < 1e-6 degrees across China', () => {
    let maxErr = 0;
    for (let lng = 74; lng <= 134; lng += 1.7) {
      for (let lat = 18; lat <= 53; lat += 1.3) {
        const [gl, ga] = wgs84ToGcj02(lng, lat);
        const [wl, wa] = gcj02ToWgs84(gl, ga);
        maxErr = Math.max(maxErr, Math.abs(wl - lng), Math.abs(wa - lat));
      }
    }
    expect(maxErr).toBeLessThan(1e-7);
  });
  it('points outside China are unchanged', () => {
    expect(wgs84ToGcj02(2.3522, 48.8566)).toEqual([2.3522, 48.8566]);
    expect(gcj02ToWgs84(-74.006, 40.7128)).toEqual([-74.006, 40.7128]);
  });
  it('toWgs84 / fromWgs84 dispatch on crs', () => {
    expect(toWgs84(106.9, 27.7, 'wgs84')).toEqual([106.9, 27.7]);
    const g = fromWgs84(106.9, 27.7, 'gcj02');
    const w = toWgs84(g[0], g[1], 'gcj02');
    expect(Math.abs(w[0] - 106.9)).toBeLessThan(1e-7);
    expect(Math.abs(w[1] - 27.7)).toBeLessThan(1e-7);
  });
  it('isValidLngLat', () => {
    expect(isValidLngLat(106.9, 27.7)).toBe(true);
    expect(isValidLngLat(-180, 90)).toBe(true);
    expect(isValidLngLat(181, 0)).toBe(false);
    expect(isValidLngLat(0, -91)).toBe(false);
    expect(isValidLngLat(NaN, 0)).toBe(false);
    expect(isValidLngLat(Infinity, 0)).toBe(false);
    expect(isValidLngLat('106', 27)).toBe(false);
  });
});
