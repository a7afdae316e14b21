import { describe, expect, it } from 'vitest';
import { generateCityGeometry } from '../demo/city-geometry.ts';
import { haversineMeters } from './coordinates.ts';
import { BuildingIndex } from './nearest-building.ts';

describe('BuildingIndex', () => {
  const { buildings } = generateCityGeometry('city');
  const index = new BuildingIndex(buildings.map((b) => ({ id: b.key, point: b.point })));

  it('nearest agrees with brute force haversine', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const lngs = buildings.map((b) => b.point[0]);
    const lats = buildings.map((b) => b.point[1]);
    const [x0, x1, y0, y1] = [Math.min(...lngs), Math.max(...lngs), Math.min(...lats), Math.max(...lats)];
    for (let t = 0; t < 200; t++) {
      const x = x0 + (x1 - x0) * rnd();
      const y = y0 + (y1 - y0) * rnd();
      let best = Infinity;
      for (const b of buildings) best = Math.min(best, haversineMeters(x, y, b.point[0], b.point[1]));
      const got = index.nearest(x, y)!;
      // projection is locally isotropic; allow sub-metre disagreement between near-ties
      expect(got.distanceMeters - best).toBeLessThan(0.5);
    }
  });
  it('returns the building itself at distance 0 and respects maxDistance / k', () => {
    const b = buildings[1234];
    const r = index.nearest(b.point[0], b.point[1])!;
    expect(r.id).toBe(b.key);
    expect(r.distanceMeters).toBe(0);
    expect(index.nearest(b.point[0] + 1, b.point[1], 1000)).toBeNull();
    const k = index.kNearest(b.point[0], b.point[1], 5);
    expect(k).toHaveLength(5);
    for (let i = 1; i < k.length; i++) expect(k[i].distanceMeters).toBeGreaterThanOrEqual(k[i - 1].distanceMeters);
  });
  it('empty index', () => {
    expect(new BuildingIndex([]).nearest(106.9, 27.7)).toBeNull();
  });
});
