import { describe, expect, it } from 'vitest';
import { generateCityGeometry } from '../demo/city-geometry.ts';
import { GridIndex, naiveLocate, type GridPolygonInput } from './grid-index.ts';
import { mulberry32 } from '../../shared/random.ts';


describe('GridIndex: assignment rule on a small hand-made tiling', () => {
  // 2x2 unit squares; codes deliberately not in id/geometry order
  const sq = (x: number, y: number): [number, number][] => [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]];
  const items: GridPolygonInput<string>[] = [
    { id: 'NE', code: '004', polygon: sq(1, 1) },
    { id: 'SW', code: '003', polygon: sq(0, 0) },
    { id: 'NW', code: '001', polygon: sq(0, 1) },
    { id: 'SE', code: '002', polygon: sq(1, 0) },
  ];
  const index = new GridIndex(items);

  it('interior points belong to their polygon', () => {
    expect(index.locate(0.5, 0.5)).toBe('SW');
    expect(index.locate(1.5, 0.5)).toBe('SE');
    expect(index.locate(0.5, 1.5)).toBe('NW');
    expect(index.locate(1.5, 1.5)).toBe('NE');
    expect(index.locateCode(1.5, 1.5)).toBe('004');
    expect(index.locate(2.5, 0.5)).toBeNull();
    expect(index.locate(NaN, 0.5)).toBeNull();
  });
  it('shared edges and vertices go to the smallest code', () => {
    expect(index.locate(1, 0.5)).toBe('SE'); // SW(003) | SE(002)
    expect(index.locate(0.5, 1)).toBe('NW'); // SW(003) | NW(001)
    expect(index.locate(1.5, 1)).toBe('SE'); // SE(002) | NE(004)
    expect(index.locate(1, 1.5)).toBe('NW'); // NW(001) | NE(004)
    expect(index.locate(1, 1)).toBe('NW'); // all four
    expect(index.locate(2, 2)).toBe('NE'); // outer corner, only NE
    expect(index.locate(0, 0.5)).toBe('SW'); // outer edge
  });
  it('locate == naiveLocate == standalone naiveLocate on a fine lattice including boundaries', () => {
    for (let i = -2; i <= 18; i++) {
      for (let j = -2; j <= 18; j++) {
        const x = i / 8, y = j / 8;
        const a = index.locate(x, y);
        expect(index.naiveLocate(x, y)).toBe(a);
        expect(naiveLocate(items, x, y)).toBe(a);
      }
    }
  });
  it('empty index', () => {
    const e = new GridIndex([]);
    expect(e.size).toBe(0);
    expect(e.locate(0, 0)).toBeNull();
    expect(e.naiveLocate(0, 0)).toBeNull();
  });
});

describe('GridIndex: holes and overlaps', () => {
  const outer: [number, number][] = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
  const holeRing: [number, number][] = [[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]];
  const items: GridPolygonInput<number>[] = [
    { id: 1, code: 'B-donut', rings: [outer, holeRing] },
    { id: 2, code: 'C-island', polygon: holeRing },
    { id: 3, code: 'A-overlap', polygon: [[8, 8], [12, 8], [12, 12], [8, 12]] },
  ];
  const index = new GridIndex(items);
  it('a point in a hole falls through to the polygon filling the hole', () => {
    expect(index.locate(5, 5)).toBe(2);
    expect(index.locate(1, 1)).toBe(1);
    expect(index.locate(3, 5)).toBe(1); // hole edge = island edge: smallest code 'B-donut' < 'C-island'
  });
  it('overlapping interiors: smallest code among strictly-containing polygons', () => {
    expect(index.locate(9, 9)).toBe(3); // inside both donut and overlap square; 'A-overlap' wins
    expect(index.locate(11, 11)).toBe(3);
    expect(index.locate(10, 9)).toBe(3); // on donut boundary but strictly inside A-overlap
    expect(index.locate(8, 5)).toBe(1);
  });
  it('locate == both naive variants', () => {
    for (let i = -4; i <= 52; i++) {
      for (let j = -4; j <= 52; j++) {
        const x = i / 4, y = j / 4;
        const a = index.locate(x, y);
        expect(index.naiveLocate(x, y)).toBe(a);
        expect(naiveLocate(items, x, y)).toBe(a);
      }
    }
  });
});

describe('GridIndex over the zunyi grid set', () => {
  const grids = generateCityGeometry('zunyi').nodes.filter((n) => n.level === 'grid');
  const items = grids.map((g) => ({ id: g.key, code: g.code, polygon: g.polygon }));
  const index = new GridIndex(items);
  const [minX, minY, maxX, maxY] = index.bbox;

  it('has 4,700 polygons', () => {
    expect(index.size).toBe(4700);
  });

  it('locate == naiveLocate on 100,000 random points (city bbox plus margin)', () => {
    const rnd = mulberry32(42);
    const mx = (maxX - minX) * 0.02, my = (maxY - minY) * 0.02;
    let mismatches = 0;
    let located = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = minX - mx + (maxX - minX + 2 * mx) * rnd();
      const y = minY - my + (maxY - minY + 2 * my) * rnd();
      const a = index.locateRank(x, y);
      if (a !== index.naiveLocateRank(x, y)) mismatches++;
      if (a >= 0) located++;
    }
    expect(mismatches).toBe(0);
    expect(located).toBeGreaterThan(90_000);
  }, 60_000);

  it('every lattice vertex and edge midpoint resolves to one adjacent grid, identically to naive', () => {
    const polygonsByCode = new Map(grids.map((g) => [g.code, g.polygon]));
    let checked = 0;
    for (const g of grids) {
      const p = g.polygon;
      for (let k = 0; k < p.length - 1; k++) {
        const [ax, ay] = p[k];
        const [bx, by] = p[k + 1];
        for (const [x, y] of [[ax, ay], [(ax + bx) / 2, (ay + by) / 2]]) {
          const code = index.locateCode(x, y);
          expect(code).not.toBeNull();
          expect(index.naiveLocateRank(x, y)).toBe(index.locateRank(x, y));
          // the winner must touch the point: either this grid or a neighbour sharing it
          const winner = polygonsByCode.get(code!)!;
          const touches = winner.some(([wx, wy]) => Math.abs(wx - x) < 0.003 && Math.abs(wy - y) < 0.003);
          expect(touches).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBe(4700 * 8);
  }, 30_000);

  it('vertices go to the smallest code among the grids sharing that vertex', () => {
    const owners = new Map<string, string[]>();
    for (const g of grids) {
      for (const [x, y] of g.polygon.slice(0, -1)) {
        const k = `${x},${y}`;
        const l = owners.get(k);
        if (l) l.push(g.code);
        else owners.set(k, [g.code]);
      }
    }
    for (const [k, codes] of owners) {
      const [x, y] = k.split(',').map(Number);
      const smallest = codes.reduce((a, b) => (b < a ? b : a));
      expect(index.locateCode(x, y)).toBe(smallest);
    }
  });

  it('standalone naiveLocate (independent path) agrees on a sample', () => {
    const rnd = mulberry32(7);
    for (let i = 0; i < 150; i++) {
      const x = minX + (maxX - minX) * rnd();
      const y = minY + (maxY - minY) * rnd();
      expect(naiveLocate(items, x, y)).toBe(index.locate(x, y));
    }
  }, 30_000);
});
