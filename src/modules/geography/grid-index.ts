import Flatbush from 'flatbush';
import {
  BOUNDARY,
  INSIDE,
  OUTSIDE,
  appendCanonicalEdges,
  pointInPolygon,
  type PipResult,
  type Ring,
} from './point-in-polygon.ts';

/**
 * A polygon to index. Give either `polygon` (one outer ring) or `rings` (`[outer, ...holes]`);
 * if both are given, `rings` wins. Rings may be closed (first == last) or open; orientation does
 * not matter (even-odd rule).
 */
export interface GridPolygonInput<Id extends string | number = string | number> {
  id: Id;
  code: string;
  polygon?: ReadonlyArray<readonly [number, number]>;
  rings?: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
}

/*
 * ASSIGNMENT RULE (deterministic, identical in GridIndex.locate, GridIndex.naiveLocate and the
 * standalone naiveLocate):
 *
 *   1. Every polygon classifies the point as INSIDE (strict interior), BOUNDARY (on an edge or
 *      vertex, outer ring or hole) or OUTSIDE — see point-in-polygon.ts for the exact predicate.
 *   2. If one or more polygons have the point strictly INSIDE, the answer is the one with the
 *      smallest `code` among them (in a proper tiling there is at most one).
 *   3. Otherwise, if the point lies on the BOUNDARY of one or more polygons (shared edges,
 *      shared vertices), the answer is the one with the smallest `code` among those.
 *   4. Otherwise the answer is null.
 *
 * "Smallest code" is plain JavaScript string comparison (UTF-16 code-unit order, `a < b`), ties
 * between equal codes are broken by input order (earlier wins). For a gap-free tiling this is
 * exactly "a point strictly inside a grid belongs to it; a point on the boundary of several grids
 * belongs to the one with the smallest code among those whose boundary contains it".
 */

function ringsOf(item: GridPolygonInput): ReadonlyArray<Ring> {
  if (item.rings && item.rings.length > 0) return item.rings;
  if (item.polygon) return [item.polygon];
  return [];
}

function compareCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class GridIndex<Id extends string | number = string | number> {
  /** Number of polygons indexed. */
  readonly size: number;
  /** Bounding box of all polygons: [minX, minY, maxX, maxY] (Infinity/-Infinity if empty). */
  readonly bbox: [number, number, number, number];

  /** Internal order = polygons sorted by (code, input order); internal index == rank. */
  private readonly ids: Id[];
  private readonly codes: string[];
  /** Canonical edges, 4 doubles each (lo.x, lo.y, hi.x, hi.y). */
  private readonly edges: Float64Array;
  /** Edge range of polygon i is [edgeStart[i], edgeStart[i+1]). */
  private readonly edgeStart: Int32Array;
  private readonly index: Flatbush | null;
  // Flatbush internals copied into monomorphic typed arrays for an allocation-free traversal.
  private readonly fbBoxes: Float64Array;
  private readonly fbIndices: Int32Array;
  private readonly fbLevelBounds: Int32Array;
  private readonly fbNodeSize4: number;
  private readonly fbNumItems4: number;
  private readonly stackNode: Int32Array;
  private readonly stackLevel: Int32Array;

  constructor(items: ReadonlyArray<GridPolygonInput<Id>>, nodeSize = 8) {
    const order = items.map((_, i) => i);
    order.sort((a, b) => compareCode(items[a].code, items[b].code) || a - b);
    const n = order.length;
    this.size = n;
    this.ids = new Array<Id>(n);
    this.codes = new Array<string>(n);
    this.edgeStart = new Int32Array(n + 1);
    const edgeTmp: number[] = [];
    const boxes = new Float64Array(n * 4);
    let gx0 = Infinity, gy0 = Infinity, gx1 = -Infinity, gy1 = -Infinity;
    for (let r = 0; r < n; r++) {
      const item = items[order[r]];
      this.ids[r] = item.id;
      this.codes[r] = item.code;
      const rings = ringsOf(item);
      this.edgeStart[r] = edgeTmp.length >> 2;
      appendCanonicalEdges(rings, edgeTmp);
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const ring of rings) {
        for (const p of ring) {
          if (p[0] < x0) x0 = p[0];
          if (p[0] > x1) x1 = p[0];
          if (p[1] < y0) y0 = p[1];
          if (p[1] > y1) y1 = p[1];
        }
      }
      boxes[4 * r] = x0; boxes[4 * r + 1] = y0; boxes[4 * r + 2] = x1; boxes[4 * r + 3] = y1;
      if (x0 < gx0) gx0 = x0;
      if (y0 < gy0) gy0 = y0;
      if (x1 > gx1) gx1 = x1;
      if (y1 > gy1) gy1 = y1;
    }
    this.edgeStart[n] = edgeTmp.length >> 2;
    this.edges = Float64Array.from(edgeTmp);
    this.bbox = [gx0, gy0, gx1, gy1];

    if (n > 0) {
      const fb = new Flatbush(n, nodeSize, Float64Array);
      for (let r = 0; r < n; r++) {
        const x0 = boxes[4 * r];
        if (x0 === Infinity) fb.add(0, 0, -1, -1); // empty polygon: box that can never match
        else fb.add(x0, boxes[4 * r + 1], boxes[4 * r + 2], boxes[4 * r + 3]);
      }
      fb.finish();
      this.index = fb;
      this.fbBoxes = fb._boxes as Float64Array;
      this.fbIndices = Int32Array.from(fb._indices);
      this.fbLevelBounds = Int32Array.from(fb._levelBounds);
      this.fbNodeSize4 = fb.nodeSize * 4;
      this.fbNumItems4 = fb.numItems * 4;
      const depth = fb._levelBounds.length;
      this.stackNode = new Int32Array(depth * fb.nodeSize + 2);
      this.stackLevel = new Int32Array(depth * fb.nodeSize + 2);
    } else {
      this.index = null;
      this.fbBoxes = new Float64Array(0);
      this.fbIndices = new Int32Array(0);
      this.fbLevelBounds = new Int32Array(0);
      this.fbNodeSize4 = 0;
      this.fbNumItems4 = 0;
      this.stackNode = new Int32Array(0);
      this.stackLevel = new Int32Array(0);
    }
  }

  /** The underlying Flatbush R-tree over polygon bounding boxes (item i = i-th polygon by code), or null if empty. */
  get rtree(): Flatbush | null {
    return this.index;
  }

  /** Id of the polygon containing (lng, lat) by the assignment rule above, or null. */
  locate(lng: number, lat: number): Id | null {
    const r = this.locateRank(lng, lat);
    return r < 0 ? null : this.ids[r];
  }

  /** Code of the polygon containing (lng, lat), or null. */
  locateCode(lng: number, lat: number): string | null {
    const r = this.locateRank(lng, lat);
    return r < 0 ? null : this.codes[r];
  }

  /**
   * Allocation-free R-tree traversal. Returns the internal rank (position in code order) of the
   * winning polygon, or -1. Walks Flatbush's packed node arrays directly with a preallocated
   * stack (same layout/semantics as Flatbush#search with a zero-size query box).
   */
  locateRank(px: number, py: number): number {
    if (this.index === null || !(px === px) || !(py === py)) return -1;
    const boxes = this.fbBoxes;
    const indices = this.fbIndices;
    const levelBounds = this.fbLevelBounds;
    const nodeSize4 = this.fbNodeSize4;
    const numItems4 = this.fbNumItems4;
    const stackNode = this.stackNode;
    const stackLevel = this.stackLevel;
    const edges = this.edges;
    const edgeStart = this.edgeStart;

    let bestInside = 0x7fffffff;
    let bestBoundary = 0x7fffffff;
    let sp = 0;
    stackNode[0] = boxes.length - 4;
    stackLevel[0] = levelBounds.length - 1;
    sp = 1;
    while (sp > 0) {
      sp--;
      const nodeIndex = stackNode[sp];
      const level = stackLevel[sp];
      const lb = levelBounds[level];
      const end = nodeIndex + nodeSize4 < lb ? nodeIndex + nodeSize4 : lb;
      if (nodeIndex >= numItems4) {
        for (let pos = nodeIndex; pos < end; pos += 4) {
          if (px < boxes[pos] || py < boxes[pos + 1] || px > boxes[pos + 2] || py > boxes[pos + 3]) continue;
          stackNode[sp] = indices[pos >> 2];
          stackLevel[sp] = level - 1;
          sp++;
        }
      } else {
        for (let pos = nodeIndex; pos < end; pos += 4) {
          if (px < boxes[pos] || py < boxes[pos + 1] || px > boxes[pos + 2] || py > boxes[pos + 3]) continue;
          const r = indices[pos >> 2];
          if (r >= bestInside) continue; // cannot improve on an INSIDE hit with a smaller code
          // inline classifyPointEdges (same arithmetic)
          let inside = false;
          let onBoundary = false;
          for (let k = edgeStart[r] << 2, e = edgeStart[r + 1] << 2; k < e; k += 4) {
            const ly = edges[k + 1];
            if (py < ly) continue;
            const hy = edges[k + 3];
            if (py > hy) continue;
            const lx = edges[k];
            const hx = edges[k + 2];
            const o = (hx - lx) * (py - ly) - (hy - ly) * (px - lx);
            if (o === 0) {
              if (lx <= hx ? px >= lx && px <= hx : px >= hx && px <= lx) {
                onBoundary = true;
                break;
              }
            } else if (o > 0 && py < hy) {
              inside = !inside;
            }
          }
          if (onBoundary) {
            if (r < bestBoundary) bestBoundary = r;
          } else if (inside) {
            bestInside = r;
          }
        }
      }
    }
    if (bestInside !== 0x7fffffff) return bestInside;
    if (bestBoundary !== 0x7fffffff) return bestBoundary;
    return -1;
  }

  /** Classify (lng, lat) against the polygon with internal rank `r`. */
  classifyRank(r: number, lng: number, lat: number): PipResult {
    const edges = this.edges;
    let inside = false;
    for (let k = this.edgeStart[r] << 2, e = this.edgeStart[r + 1] << 2; k < e; k += 4) {
      const ly = edges[k + 1];
      if (lat < ly) continue;
      const hy = edges[k + 3];
      if (lat > hy) continue;
      const lx = edges[k];
      const hx = edges[k + 2];
      const o = (hx - lx) * (lat - ly) - (hy - ly) * (lng - lx);
      if (o === 0) {
        if (lx <= hx ? lng >= lx && lng <= hx : lng >= hx && lng <= lx) return BOUNDARY;
      } else if (o > 0 && lat < hy) {
        inside = !inside;
      }
    }
    return inside ? INSIDE : OUTSIDE;
  }

  /**
   * Brute force over every polygon (no R-tree, no bbox pre-filter), same rule as locate().
   * Used by tests and the benchmark as the reference answer.
   */
  naiveLocate(lng: number, lat: number): Id | null {
    const r = this.naiveLocateRank(lng, lat);
    return r < 0 ? null : this.ids[r];
  }

  naiveLocateRank(lng: number, lat: number): number {
    let bestBoundary = -1;
    for (let r = 0; r < this.size; r++) {
      const c = this.classifyRank(r, lng, lat);
      if (c === INSIDE) return r; // ranks ascend in code order: first INSIDE is the smallest code
      if (c === BOUNDARY && bestBoundary < 0) bestBoundary = r;
    }
    return bestBoundary;
  }

  idAt(rank: number): Id {
    return this.ids[rank];
  }

  codeAt(rank: number): string {
    return this.codes[rank];
  }
}

/**
 * Fully independent reference implementation of the assignment rule, working directly on the
 * input polygons (slow: converts rings on every call). Intended for tests.
 */
export function naiveLocate<Id extends string | number>(
  items: ReadonlyArray<GridPolygonInput<Id>>,
  lng: number,
  lat: number,
): Id | null {
  let bestInside: GridPolygonInput<Id> | null = null;
  let bestBoundary: GridPolygonInput<Id> | null = null;
  for (const item of items) {
    const c = pointInPolygon(lng, lat, ringsOf(item));
    if (c === INSIDE) {
      if (bestInside === null || item.code < bestInside.code) bestInside = item;
    } else if (c === BOUNDARY) {
      if (bestBoundary === null || item.code < bestBoundary.code) bestBoundary = item;
    }
  }
  const best = bestInside ?? bestBoundary;
  return best === null ? null : best.id;
}
