/**
 * Exact-rule point-in-polygon (even-odd ray casting) over flat Float64Array coordinates.
 *
 * Results: OUTSIDE (0), INSIDE (1, strictly interior), BOUNDARY (2, on an edge or vertex).
 *
 * Consistency guarantee. Every edge is evaluated in a *canonical direction*: from its
 * lexicographically smaller endpoint `lo` (by y, then x) to the larger one `hi`. A shared edge
 * between two neighbouring polygons is therefore evaluated with bit-identical arithmetic
 * regardless of which polygon walks it in which direction, so:
 *  - a point is "on boundary" of one polygon iff it is "on boundary" of its neighbour, and
 *  - a point off the boundary is assigned to exactly one side of the edge.
 * Hence for a gap-free tiling with shared (identical) vertices, every point of the tiled area is
 * INSIDE exactly one polygon or on the BOUNDARY of one or more (never in a gap, never doubly
 * inside), even for points a few ulps away from an edge.
 *
 * Per edge (lo, hi) and point p:
 *   o = (hi.x - lo.x) * (p.y - lo.y) - (hi.y - lo.y) * (p.x - lo.x)   (orientation)
 *   - o === 0 and p within the edge's bounding box        -> BOUNDARY
 *   - lo.y <= p.y < hi.y (half-open) and o > 0            -> the +x ray from p crosses the edge
 * ("Exact" means: the boundary test is the floating-point orientation being exactly 0; for points
 * constructed exactly on an edge this normally holds, otherwise the point is consistently
 * assigned to one side.)
 */

export const OUTSIDE = 0;
export const INSIDE = 1;
export const BOUNDARY = 2;
export type PipResult = 0 | 1 | 2;

export type LngLat = readonly [number, number];
export type Ring = ReadonlyArray<LngLat>;

/** Flatten a ring `[[x,y],...]` into `Float64Array [x0,y0,x1,y1,...]`. */
export function flattenRing(ring: Ring): Float64Array {
  const out = new Float64Array(ring.length * 2);
  for (let i = 0; i < ring.length; i++) {
    out[2 * i] = ring[i][0];
    out[2 * i + 1] = ring[i][1];
  }
  return out;
}

/**
 * Point vs one ring stored flat in `coords[start..end)` (x,y pairs; `start`/`end` are array
 * offsets, i.e. 2 * vertex index). The ring may be closed (last == first) or open; the closing
 * edge is always evaluated (a duplicate closing vertex yields a zero-length edge that is harmless).
 */
export function pointInRingFlat(
  px: number,
  py: number,
  coords: Float64Array,
  start = 0,
  end = coords.length,
): PipResult {
  let inside = false;
  if (end - start < 2) return OUTSIDE;
  let ax = coords[end - 2];
  let ay = coords[end - 1];
  for (let k = start; k < end; k += 2) {
    const bx = coords[k];
    const by = coords[k + 1];
    let lx: number, ly: number, hx: number, hy: number;
    if (ay < by || (ay === by && ax <= bx)) {
      lx = ax; ly = ay; hx = bx; hy = by;
    } else {
      lx = bx; ly = by; hx = ax; hy = ay;
    }
    ax = bx;
    ay = by;
    if (py < ly || py > hy) continue;
    const o = (hx - lx) * (py - ly) - (hy - ly) * (px - lx);
    if (o === 0) {
      if (lx <= hx ? px >= lx && px <= hx : px >= hx && px <= lx) return BOUNDARY;
    } else if (o > 0 && py < hy) {
      inside = !inside;
    }
  }
  return inside ? INSIDE : OUTSIDE;
}

/**
 * Pre-compute canonical edges of a polygon (outer ring + optional holes) into a flat array of
 * 4 numbers per edge: lo.x, lo.y, hi.x, hi.y. Zero-length edges (e.g. the duplicated closing
 * vertex) are dropped. Rings are closed implicitly.
 */
export function buildCanonicalEdges(rings: ReadonlyArray<Ring>): Float64Array {
  const tmp: number[] = [];
  appendCanonicalEdges(rings, tmp);
  return Float64Array.from(tmp);
}

/** Like {@link buildCanonicalEdges} but appends to `out`; returns the number of edges added. */
export function appendCanonicalEdges(rings: ReadonlyArray<Ring>, out: number[]): number {
  let count = 0;
  for (const ring of rings) {
    const n = ring.length;
    if (n === 0) continue;
    for (let i = 0; i < n; i++) {
      const a = ring[i === 0 ? n - 1 : i - 1];
      const b = ring[i];
      const ax = a[0], ay = a[1], bx = b[0], by = b[1];
      if (ax === bx && ay === by) continue;
      if (ay < by || (ay === by && ax <= bx)) out.push(ax, ay, bx, by);
      else out.push(bx, by, ax, ay);
      count++;
    }
  }
  return count;
}

/**
 * Point vs canonical edges `edges[4*start .. 4*end)` (edge indices) as produced by
 * {@link buildCanonicalEdges}. Same arithmetic as {@link pointInRingFlat}.
 */
export function classifyPointEdges(
  px: number,
  py: number,
  edges: Float64Array,
  start: number,
  end: number,
): PipResult {
  let inside = false;
  for (let k = start << 2, e = end << 2; k < e; k += 4) {
    const ly = edges[k + 1];
    if (py < ly) continue;
    const hy = edges[k + 3];
    if (py > hy) continue;
    const lx = edges[k];
    const hx = edges[k + 2];
    const o = (hx - lx) * (py - ly) - (hy - ly) * (px - lx);
    if (o === 0) {
      if (lx <= hx ? px >= lx && px <= hx : px >= hx && px <= lx) return BOUNDARY;
    } else if (o > 0 && py < hy) {
      inside = !inside;
    }
  }
  return inside ? INSIDE : OUTSIDE;
}

/**
 * Convenience: point vs a polygon given as a single ring or as `[outer, ...holes]`.
 * Even-odd rule, so holes work regardless of their orientation.
 */
export function pointInPolygon(px: number, py: number, polygon: Ring | ReadonlyArray<Ring>): PipResult {
  const rings = isRingList(polygon) ? polygon : [polygon as Ring];
  let inside = false;
  for (const ring of rings) {
    const r = pointInRingFlat(px, py, flattenRing(ring));
    if (r === BOUNDARY) return BOUNDARY;
    if (r === INSIDE) inside = !inside;
  }
  return inside ? INSIDE : OUTSIDE;
}

function isRingList(p: Ring | ReadonlyArray<Ring>): p is ReadonlyArray<Ring> {
  return p.length > 0 && Array.isArray(p[0]) && Array.isArray((p[0] as unknown[])[0]);
}

/** Signed shoelace area of a ring (positive = counter-clockwise), computed relative to `origin` for precision. */
export function ringSignedArea(ring: Ring, originX = ring.length ? ring[0][0] : 0, originY = ring.length ? ring[0][1] : 0): number {
  let s = 0;
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % n];
    s += (a[0] - originX) * (b[1] - originY) - (b[0] - originX) * (a[1] - originY);
  }
  return s / 2;
}
