import { describe, expect, it } from 'vitest';
import { CITY_CODE, ZUNYI_CENTER, generateCityGeometry, type CityScale, type GeneratedNode } from './city-geometry.ts';
import { GridIndex } from '../geography/grid-index.ts';
import { INSIDE, pointInPolygon } from '../geography/point-in-polygon.ts';
import { mulberry32 } from '../../shared/random.ts';

const ORIGIN: [number, number] = [106.8, 27.5];
/** Shoelace area relative to a nearby origin (avoids cancellation with raw lng/lat magnitudes). */
function area(ring: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [ax, ay] = ring[i];
    const [bx, by] = ring[i + 1];
    s += (ax - ORIGIN[0]) * (by - ORIGIN[1]) - (bx - ORIGIN[0]) * (ay - ORIGIN[1]);
  }
  return s / 2;
}


const SCALES: CityScale[] = ['small', 'city', 'zunyi'];
const EXPECTED = {
  small: { district: 2, street: 4, community: 12, grid: 60, buildings: [600, 600] },
  city: { district: 3, street: 20, community: 150, grid: 900, buildings: [9000, 9000] },
  zunyi: { district: 4, street: 50, community: 470, grid: 4700, buildings: [45000, 55000] },
} as const;

describe.each(SCALES)('generateCityGeometry(%s)', (scale) => {
  const geo = generateCityGeometry(scale);
  const byLevel = (l: GeneratedNode['level']) => geo.nodes.filter((n) => n.level === l);
  const grids = byLevel('grid');
  const gridIndex = new GridIndex(grids.map((g) => ({ id: g.key, code: g.code, polygon: g.polygon })));

  it('has the expected counts and hierarchy', () => {
    const e = EXPECTED[scale];
    expect(byLevel('city')).toHaveLength(1);
    expect(byLevel('city')[0].code).toBe(CITY_CODE);
    expect(byLevel('city')[0].name).toBe('遵义市');
    expect(byLevel('district')).toHaveLength(e.district);
    expect(byLevel('street')).toHaveLength(e.street);
    expect(byLevel('community')).toHaveLength(e.community);
    expect(grids).toHaveLength(e.grid);
    expect(geo.buildings.length).toBeGreaterThanOrEqual(e.buildings[0]);
    expect(geo.buildings.length).toBeLessThanOrEqual(e.buildings[1]);
    const byKey = new Map(geo.nodes.map((n) => [n.key, n]));
    const parentLevel = { city: null, district: 'city', street: 'district', community: 'street', grid: 'community' } as const;
    for (const n of geo.nodes) {
      if (n.parentKey === null) {
        expect(n.level).toBe('city');
        continue;
      }
      expect(byKey.get(n.parentKey)?.level).toBe(parentLevel[n.level]);
    }
    const names = byLevel('district').map((d) => d.name);
    expect(names.slice(0, 3)).toEqual(['红花岗区', '汇川区', '播州区'].slice(0, names.length).slice(0, 3));
  });

  it('codes follow the 12-digit statistical style and are unique', () => {
    const all = [...geo.nodes.map((n) => n.code), ...geo.buildings.map((b) => b.code)];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(geo.nodes.map((n) => n.key)).size).toBe(geo.nodes.length);
    const byKey = new Map(geo.nodes.map((n) => [n.key, n]));
    for (const n of geo.nodes) {
      const parent = n.parentKey ? byKey.get(n.parentKey)! : null;
      switch (n.level) {
        case 'district':
          expect(n.code).toMatch(/^5203\d{2}000000$/);
          break;
        case 'street':
          expect(n.code).toMatch(/^\d{9}000$/);
          expect(n.code.slice(0, 6)).toBe(parent!.code.slice(0, 6));
          expect(n.code.slice(6, 9)).not.toBe('000');
          break;
        case 'community':
          expect(n.code).toMatch(/^\d{12}$/);
          expect(n.code.slice(0, 9)).toBe(parent!.code.slice(0, 9));
          expect(n.code.slice(9)).not.toBe('000');
          break;
        case 'grid':
          expect(n.code).toMatch(/^\d{15}$/);
          expect(n.code.slice(0, 12)).toBe(parent!.code);
          expect(n.name).toMatch(/^第\d+网格$/);
          break;
      }
    }
    expect(geo.nodes.filter((n) => n.level === 'district').map((d) => d.code.slice(0, 6)).slice(0, 3)).toEqual(
      ['520302', '520303', '520304'].slice(0, EXPECTED[scale].district),
    );
    for (const b of geo.buildings) {
      expect(b.code).toMatch(/^\d{18}$/);
      expect(b.code.slice(0, 15)).toBe(b.gridKey);
      expect(b.name).toMatch(/^(.+小区)?\d+栋$/);
    }
  });

  it('names are unique where required', () => {
    const streets = byLevel('street').map((s) => s.name);
    expect(new Set(streets).size).toBe(streets.length);
    for (const s of streets) expect(s).toMatch(/街道$/);
    const groups = new Map<string, string[]>();
    for (const n of geo.nodes) {
      if (n.level !== 'community' && n.level !== 'grid') continue;
      const k = `${n.level}|${n.parentKey}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(n.name);
    }
    for (const names of groups.values()) expect(new Set(names).size).toBe(names.length);
    for (const c of byLevel('community')) expect(c.name).toMatch(/社区$/);
  });

  it('every polygon is a closed CCW ring of >= 4 distinct points', () => {
    for (const n of geo.nodes) {
      const p = n.polygon;
      expect(p[0]).toEqual(p[p.length - 1]);
      const distinct = new Set(p.slice(0, -1).map(([x, y]) => `${x},${y}`));
      expect(distinct.size).toBe(p.length - 1);
      expect(distinct.size).toBeGreaterThanOrEqual(4);
      expect(area(p)).toBeGreaterThan(0);
    }
    for (const g of grids) expect(g.polygon).toHaveLength(5);
  });

  it('every level tiles its parent exactly (area sums)', () => {
    const children = new Map<string, GeneratedNode[]>();
    for (const n of geo.nodes) if (n.parentKey) (children.get(n.parentKey) ?? children.set(n.parentKey, []).get(n.parentKey)!).push(n);
    for (const n of geo.nodes) {
      const kids = children.get(n.key);
      if (!kids) {
        expect(n.level).toBe('grid');
        continue;
      }
      const sum = kids.reduce((s, k) => s + area(k.polygon), 0);
      expect(Math.abs(sum - area(n.polygon))).toBeLessThan(scale === 'zunyi' ? 1e-11 : 1e-12);
    }
  });

  it('cells are ~150-250 m', () => {
    const side = (g: GeneratedNode) =>
      Math.sqrt(area(g.polygon) * 111_320 * 111_320 * Math.cos((27.7 * Math.PI) / 180)); // metres
    const sides = grids.map(side);
    const mean = sides.reduce((a, b) => a + b, 0) / sides.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
    for (const s of sides) {
      expect(s).toBeGreaterThan(130); // jitter varies individual cells a little
      expect(s).toBeLessThan(270);
    }
  });

  it('random points in a community lie in exactly one of its grids', { timeout: 30_000 }, () => {
    const rnd = mulberry32(99);
    const communities = byLevel('community');
    const kids = new Map<string, GeneratedNode[]>();
    for (const g of grids) (kids.get(g.parentKey!) ?? kids.set(g.parentKey!, []).get(g.parentKey!)!).push(g);
    for (const c of communities.slice(0, 60)) {
      const xs = c.polygon.map((p) => p[0]);
      const ys = c.polygon.map((p) => p[1]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      let tested = 0;
      for (let t = 0; t < 400 && tested < 25; t++) {
        const x = x0 + (x1 - x0) * rnd();
        const y = y0 + (y1 - y0) * rnd();
        if (pointInPolygon(x, y, c.polygon) !== INSIDE) continue;
        tested++;
        const inside = kids.get(c.key)!.filter((g) => pointInPolygon(x, y, g.polygon) === INSIDE);
        expect(inside).toHaveLength(1);
        expect(gridIndex.locate(x, y)).toBe(inside[0].key);
      }
      expect(tested).toBeGreaterThan(0);
    }
  });

  it('the Zunyi centre point lies strictly inside a grid', () => {
    const [x, y] = ZUNYI_CENTER;
    const hits = grids.filter((g) => pointInPolygon(x, y, g.polygon) === INSIDE);
    expect(hits).toHaveLength(1);
    expect(gridIndex.locate(x, y)).toBe(hits[0].key);
    expect(hits[0].code.slice(0, 6)).toBe('520302'); // 红花岗区
  });

  it('buildings lie strictly inside their grid', { timeout: 30_000 }, () => {
    const byKey = new Map(grids.map((g) => [g.key, g]));
    for (const b of geo.buildings) {
      expect(pointInPolygon(b.point[0], b.point[1], byKey.get(b.gridKey)!.polygon)).toBe(INSIDE);
    }
    const sample = geo.buildings.filter((_, i) => i % 7 === 0);
    for (const b of sample) expect(gridIndex.locate(b.point[0], b.point[1])).toBe(b.gridKey);
  });

  it('is deterministic', () => {
    expect(generateCityGeometry(scale)).toEqual(geo);
  });
});

it('zunyi scale generates quickly', () => {
  const t = performance.now();
  generateCityGeometry('zunyi');
  expect(performance.now() - t).toBeLessThan(2000);
});
