/**
 * Grid point-location benchmark: GridIndex (Flatbush R-tree + exact PIP) vs brute force.
 * Run: npm run bench:geo. The LAST line of output is a JSON summary.
 */
import { generateCityGeometry } from '../src/modules/demo/city-geometry.ts';
import { GridIndex } from '../src/modules/geography/grid-index.ts';
import { mulberry32 } from '../src/shared/random.ts';

const N = 1_000_000;
const NAIVE_SAMPLE = 20_000;
const NAIVE_FULL_BUDGET_S = 60;


const t0 = performance.now();
const geo = generateCityGeometry('zunyi');
const grids = geo.nodes.filter((n) => n.level === 'grid');
const t1 = performance.now();
const index = new GridIndex(grids.map((g) => ({ id: g.key, code: g.code, polygon: g.polygon })));
const t2 = performance.now();
console.log(`generated ${grids.length} grids / ${geo.buildings.length} buildings in ${(t1 - t0).toFixed(0)} ms; index built in ${(t2 - t1).toFixed(1)} ms`);

const [minX, minY, maxX, maxY] = index.bbox;
const rng = mulberry32(20240601);
const xs = new Float64Array(N);
const ys = new Float64Array(N);
for (let i = 0; i < N; i++) {
  xs[i] = minX + (maxX - minX) * rng();
  ys[i] = minY + (maxY - minY) * rng();
}

// warm-up (JIT) on a different slice order
const indexed = new Int32Array(N);
for (let rep = 0; rep < 3; rep++) for (let i = N - 1; i >= 0; i -= 7) indexed[i] = index.locateRank(xs[i], ys[i]);

// timed: public API locate() returning ids; best of 3 runs
let best = Infinity;
let found = 0;
for (let rep = 0; rep < 3; rep++) {
  found = 0;
  const s = performance.now();
  for (let i = 0; i < N; i++) if (index.locate(xs[i], ys[i]) !== null) found++;
  const e = performance.now();
  best = Math.min(best, e - s);
}
const lookupsPerS = N / (best / 1000);
console.log(`GridIndex.locate: ${N} lookups in ${best.toFixed(1)} ms (best of 3) = ${Math.round(lookupsPerS).toLocaleString('en-US')} lookups/s; ${found} located`);
for (let i = 0; i < N; i++) indexed[i] = index.locateRank(xs[i], ys[i]);

// naive: brute force over every polygon
for (let i = 0; i < 200; i++) index.naiveLocateRank(xs[i], ys[i]);
let mismatches = 0;
const s = performance.now();
for (let i = 0; i < NAIVE_SAMPLE; i++) if (index.naiveLocateRank(xs[i], ys[i]) !== indexed[i]) mismatches++;
const naiveMs = performance.now() - s;
const naivePerS = NAIVE_SAMPLE / (naiveMs / 1000);
console.log(`naiveLocate: ${NAIVE_SAMPLE} lookups in ${naiveMs.toFixed(0)} ms = ${Math.round(naivePerS).toLocaleString('en-US')} lookups/s`);

let checked = NAIVE_SAMPLE;
const projected = N / naivePerS;
if (projected <= NAIVE_FULL_BUDGET_S) {
  console.log(`checking all ${N} indexed answers against naive (~${projected.toFixed(0)} s)...`);
  for (let i = NAIVE_SAMPLE; i < N; i++) if (index.naiveLocateRank(xs[i], ys[i]) !== indexed[i]) mismatches++;
  checked = N;
} else {
  console.log(`full naive check would take ~${projected.toFixed(0)} s > ${NAIVE_FULL_BUDGET_S} s; mismatches counted on ${checked} points`);
}

// lattice vertices and edge midpoints (boundary cases): every grid vertex and edge midpoint
let boundaryChecked = 0;
for (const g of grids) {
  const p = g.polygon;
  for (let k = 0; k < p.length - 1; k++) {
    const [ax, ay] = p[k];
    const [bx, by] = p[k + 1];
    for (const [x, y] of [[ax, ay], [(ax + bx) / 2, (ay + by) / 2]]) {
      boundaryChecked++;
      if (index.locateRank(x, y) !== index.naiveLocateRank(x, y)) mismatches++;
    }
  }
}
console.log(`mismatches: ${mismatches} (random points checked: ${checked}, vertices/edge midpoints checked: ${boundaryChecked})`);
const speedup = lookupsPerS / naivePerS;
console.log(`speedup vs naive: ${speedup.toFixed(0)}x`);
console.log(
  JSON.stringify({
    grids: grids.length,
    lookups_per_s: Math.round(lookupsPerS),
    naive_lookups_per_s: Math.round(naivePerS),
    speedup: Math.round(speedup),
    mismatches,
  }),
);
