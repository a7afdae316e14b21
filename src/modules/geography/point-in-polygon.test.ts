import { describe, expect, it } from 'vitest';
import {
  BOUNDARY,
  INSIDE,
  OUTSIDE,
  buildCanonicalEdges,
  classifyPointEdges,
  flattenRing,
  pointInPolygon,
  pointInRingFlat,
  ringSignedArea,
} from './point-in-polygon.ts';

const square: [number, number][] = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]];
const hole: [number, number][] = [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]];
// concave "C" shape
const cShape: [number, number][] = [[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3]];

describe('pointInRingFlat', () => {
  const flat = flattenRing(square);
  it('classifies interior / exterior', () => {
    expect(pointInRingFlat(2, 2, flat)).toBe(INSIDE);
    expect(pointInRingFlat(0.0001, 3.9999, flat)).toBe(INSIDE);
    expect(pointInRingFlat(5, 2, flat)).toBe(OUTSIDE);
    expect(pointInRingFlat(-1, 2, flat)).toBe(OUTSIDE);
    expect(pointInRingFlat(2, 4.0001, flat)).toBe(OUTSIDE);
    expect(pointInRingFlat(4, 5, flat)).toBe(OUTSIDE); // collinear with an edge but beyond it
    expect(pointInRingFlat(-3, 0, flat)).toBe(OUTSIDE); // on the line of the bottom edge, outside
  });
  it('detects boundary points exactly (edges and vertices)', () => {
    for (const [x, y] of [[0, 0], [4, 0], [4, 4], [0, 4], [2, 0], [4, 2], [2, 4], [0, 2], [0, 3.5]] as const) {
      expect(pointInRingFlat(x, y, flat)).toBe(BOUNDARY);
    }
    const tri = flattenRing([[0, 0], [10, 0], [0, 10]]); // open ring, diagonal edge
    expect(pointInRingFlat(5, 5, tri)).toBe(BOUNDARY);
    expect(pointInRingFlat(2.5, 7.5, tri)).toBe(BOUNDARY);
    expect(pointInRingFlat(4.9, 4.9, tri)).toBe(INSIDE);
    expect(pointInRingFlat(5.1, 5.1, tri)).toBe(OUTSIDE);
  });
  it('open and closed rings, either orientation, give identical answers', () => {
    const open = flattenRing(square.slice(0, 4));
    const cw = flattenRing([...square].reverse());
    for (let i = 0; i < 500; i++) {
      const x = -1 + (i % 25) * 0.25;
      const y = -1 + Math.floor(i / 25) * 0.3;
      const r = pointInRingFlat(x, y, flattenRing(square));
      expect(pointInRingFlat(x, y, open)).toBe(r);
      expect(pointInRingFlat(x, y, cw)).toBe(r);
    }
  });
  it('handles concave polygons', () => {
    const f = flattenRing(cShape);
    expect(pointInRingFlat(0.5, 1.5, f)).toBe(INSIDE);
    expect(pointInRingFlat(2, 1.5, f)).toBe(OUTSIDE); // in the notch
    expect(pointInRingFlat(2, 1, f)).toBe(BOUNDARY);
    expect(pointInRingFlat(2, 2.5, f)).toBe(INSIDE);
    expect(pointInRingFlat(1, 1.5, f)).toBe(BOUNDARY);
  });
  it('supports a sub-range of a shared coordinate array', () => {
    const both = new Float64Array([...flattenRing(hole), ...flattenRing(square)]);
    expect(pointInRingFlat(3.5, 3.5, both, 10, 20)).toBe(INSIDE);
    expect(pointInRingFlat(3.5, 3.5, both, 0, 10)).toBe(OUTSIDE);
  });
});

describe('pointInPolygon with holes', () => {
  it('even-odd over outer ring and holes', () => {
    const poly = [square, hole];
    expect(pointInPolygon(2, 2, poly)).toBe(OUTSIDE); // in the hole
    expect(pointInPolygon(0.5, 0.5, poly)).toBe(INSIDE);
    expect(pointInPolygon(1, 2, poly)).toBe(BOUNDARY); // on the hole's edge
    expect(pointInPolygon(3, 3, poly)).toBe(BOUNDARY); // hole vertex
    expect(pointInPolygon(2, 2, square)).toBe(INSIDE); // single ring form
  });
  it('canonical-edge classifier agrees with the ring classifier', () => {
    const edges = buildCanonicalEdges([square, hole]);
    const nEdges = edges.length / 4;
    expect(nEdges).toBe(8); // closing duplicates dropped
    for (let i = 0; i < 2000; i++) {
      const x = -0.5 + (i % 50) * 0.1;
      const y = -0.5 + Math.floor(i / 50) * 0.125;
      expect(classifyPointEdges(x, y, edges, 0, nEdges)).toBe(pointInPolygon(x, y, [square, hole]));
    }
  });
});

describe('shared edges', () => {
  it('a point near a shared, slanted edge is inside exactly one of the two neighbours', () => {
    // two triangles sharing the edge (0.1,0.3)-(0.7,0.9) walked in opposite directions
    const a = flattenRing([[0.1, 0.3], [0.7, 0.9], [0, 1]]);
    const b = flattenRing([[0.7, 0.9], [0.1, 0.3], [1, 0]]);
    let onBoth = 0;
    for (let i = 10; i <= 990; i++) {
      // away from the shared endpoints (perturbed points there may hit the non-shared edges)
      const t = i / 1000;
      const x = 0.1 + 0.6 * t;
      const y = 0.3 + 0.6 * t;
      for (const [px, py] of [[x, y], [x + 1e-17, y], [x, y + 1e-16], [x - 1e-16, y]]) {
        const ra = pointInRingFlat(px, py, a);
        const rb = pointInRingFlat(px, py, b);
        if (ra === BOUNDARY || rb === BOUNDARY) {
          expect(ra).toBe(BOUNDARY);
          expect(rb).toBe(BOUNDARY);
          onBoth++;
        } else {
          expect((ra === INSIDE ? 1 : 0) + (rb === INSIDE ? 1 : 0)).toBe(1);
        }
      }
    }
    expect(onBoth).toBeGreaterThan(0);
  });
  it('ringSignedArea is positive for CCW', () => {
    expect(ringSignedArea(square)).toBe(16);
    expect(ringSignedArea([...square].reverse())).toBe(-16);
  });
});
