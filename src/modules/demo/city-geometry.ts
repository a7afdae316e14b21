/**
 * Pure, deterministic demo-city geometry generator for 遵义市 (no DB access).
 *
 * One global jittered lattice of (cols+1) x (rows+1) points covers central Zunyi. Every lattice
 * cell is a grid (网格); communities, streets and districts are rectangular blocks of cells found by
 * a recursive guillotine split, so each level tiles its parent exactly: shared boundaries pass
 * through the identical lattice points, and a block's polygon walks every lattice point on its
 * boundary. Only interior lattice points are jittered (by < 22% of a cell per axis), which keeps
 * every cell a strictly convex quadrilateral and the whole mesh a valid planar subdivision.
 */
import { mulberry32 } from '../../shared/random.ts';

export type GeneratedLevel = 'city' | 'district' | 'street' | 'community' | 'grid';
export type CityScale = 'small' | 'city' | 'zunyi';

export interface GeneratedNode {
  key: string;
  level: GeneratedLevel;
  code: string;
  name: string;
  parentKey: string | null;
  /** Closed ring, [lng, lat] WGS-84, counter-clockwise, first == last. */
  polygon: [number, number][];
}

export interface GeneratedBuilding {
  key: string;
  gridKey: string;
  code: string;
  name: string;
  /** [lng, lat] WGS-84, strictly inside the grid polygon. */
  point: [number, number];
}

export interface GeneratedCityGeometry {
  nodes: GeneratedNode[];
  buildings: GeneratedBuilding[];
}

export const CITY_CODE = '520300000000';
export const CITY_NAME = '遵义市';
/** A point in central Zunyi (丁字口 area, WGS-84) that lies strictly inside a grid at every scale. */
export const ZUNYI_CENTER: readonly [number, number] = [106.9378, 27.6944];

/** Cell size: ~200 m north-south; east-west scaled by cos(lat) to ~200 m too. */
const CELL_LAT = 0.0018;
const CELL_LNG = CELL_LAT / Math.cos((ZUNYI_CENTER[1] * Math.PI) / 180);
const JITTER = 0.22; // fraction of a cell, per axis, interior lattice points only
const ROUND = 1e7; // coordinates rounded to 1e-7 degrees (~1 cm)

interface ScaleSpec {
  cols: number;
  rows: number;
  /** streets per district; length = number of districts */
  streetsPerDistrict: number[];
  /** total communities, shared among streets proportionally to street area */
  communities: number;
  buildingsPerGrid: [number, number];
  seed: number;
}

const SCALES: Record<CityScale, ScaleSpec> = {
  small: { cols: 10, rows: 6, streetsPerDistrict: [2, 2], communities: 12, buildingsPerGrid: [10, 10], seed: 0x5eed0001 },
  city: { cols: 36, rows: 25, streetsPerDistrict: [7, 7, 6], communities: 150, buildingsPerGrid: [10, 10], seed: 0x5eed0002 },
  zunyi: { cols: 50, rows: 94, streetsPerDistrict: [13, 12, 13, 12], communities: 470, buildingsPerGrid: [8, 13], seed: 0x5eed0003 },
};

const DISTRICTS: { county: string; name: string; streets: string[] }[] = [
  {
    county: '520302',
    name: '红花岗区',
    streets: ['老城街道', '万里路街道', '中华路街道', '延安路街道', '舟水桥街道', '南门关街道', '中山路街道', '长征街道', '迎红街道', '忠庄街道', '南关街道', '金鼎山街道', '巷口街道'],
  },
  {
    county: '520303',
    name: '汇川区',
    streets: ['北京路街道', '上海路街道', '洗马路街道', '大连路街道', '高桥街道', '董公寺街道', '高坪街道', '泗渡街道', '沙湾街道', '山盆街道', '团泽街道', '板桥街道'],
  },
  {
    county: '520304',
    name: '播州区',
    streets: ['南白街道', '龙坑街道', '桂花街道', '蟠龙街道', '三合街道', '鸭溪街道', '乌江街道', '团溪街道', '苟江街道', '三岔街道', '尚嵇街道', '枫香街道', '泮水街道'],
  },
  {
    county: '520305', // invented
    name: '新蒲区',
    streets: ['新蒲街道', '新中街道', '礼仪街道', '虾子街道', '永乐街道', '喇叭街道', '三渡街道', '洛安江街道', '松烟街道', '湘江街道', '深溪街道', '海龙街道'],
  },
  { county: '520306', name: '南部新区', streets: [] }, // invented
  { county: '520307', name: '东部新区', streets: [] }, // invented
];

const STREET_WORDS = [
  '人民路', '解放路', '沿江路', '凤凰路', '丰乐', '红军路', '碧云路', '桃溪', '珠海路', '深圳路', '广州路', '天津路',
  '重庆路', '苏州路', '杭州路', '南京路', '武汉路', '长沙路', '成都路', '昆明路', '贵阳路', '云峰', '银河路', '南岭',
  '龙井', '石龙', '新舟', '航天', '人和', '海风', '湘山', '香港路', '厦门路', '宁波路', '青岛路', '温州路',
];

const COMMUNITY_FIRST = [
  '杨柳街', '丁字口', '凤凰山', '捞沙巷', '官井', '玉屏', '狮子桥', '水井湾', '石家堡', '罗庄', '干田', '湘江',
];
const COMMUNITY_PLAIN_SUFFIXED = '街巷口山湾坝井桥堡庄门';
const COMMUNITY_WORDS = [
  '桃源', '金桥', '碧云', '红花', '新华', '和平', '幸福', '长青', '锦绣', '翠微', '阳光', '春晖', '东风', '向阳',
  '文化', '建设', '民主', '团结', '胜利', '光明', '朝阳', '松林', '青山', '绿水', '枫香', '梧桐', '银杏', '海棠',
  '紫荆', '玉兰', '桂花', '丹桂', '龙泉', '丰乐', '李家湾', '高家坝', '珍珠', '桃花', '兰花', '竹林', '柏杨', '茶园',
  '清泉', '白杨', '红旗', '火炬', '学府', '东门', '西门', '北门', '南门', '临江', '观山', '望城', '平安', '康乐',
  '安居', '怡和', '和谐', '友谊', '育才', '振兴', '富民', '兴隆', '永安', '长岭', '晨光', '星光', '万寿', '新民',
  '沙河', '新街', '外环', '龙井', '金鼎', '碧水', '南岭', '云峰', '苏家井', '马家湾',
];
const COMMUNITY_PATTERNS = ['街', '路', '苑', '湾', '坝', '坡', '巷', '新村', '花园'];

const XIAOQU_WORDS = [
  '阳光', '锦绣', '翠苑', '金域', '碧水', '怡景', '丽都', '盛世', '天誉', '新城', '东方', '鑫源', '华府', '香榭',
  '紫薇', '名城', '中天', '凤凰', '湘江', '龙腾', '学府', '红星', '世纪', '和园',
];

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];


function shuffle<T>(arr: T[], rng: () => number): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

const pad3 = (n: number): string => String(n).padStart(3, '0');
const round = (v: number): number => Math.round(v * ROUND) / ROUND;

/** Rectangle of lattice cells: columns [i0, i0+w), rows [j0, j0+h). */
interface Rect {
  i0: number;
  j0: number;
  w: number;
  h: number;
}

/**
 * Recursive guillotine split of `r` into exactly `n` rectangles (requires w*h >= n); cuts the
 * longer side near the middle (with a little jitter) and shares the counts by area.
 */
function split(r: Rect, n: number, rng: () => number, out: Rect[] = []): Rect[] {
  if (n <= 1) {
    out.push(r);
    return out;
  }
  const vertical = r.w > r.h || (r.w === r.h && rng() < 0.5);
  const L = vertical ? r.w : r.h;
  const O = vertical ? r.h : r.w;
  let p = Math.round(L / 2 + (rng() - 0.5) * L * 0.3);
  if (p < 1) p = 1;
  if (p > L - 1) p = L - 1;
  let n1 = Math.round((n * p) / L);
  const lo = Math.max(1, n - (L - p) * O);
  const hi = Math.min(n - 1, p * O);
  if (n1 < lo) n1 = lo;
  if (n1 > hi) n1 = hi;
  const a: Rect = vertical ? { i0: r.i0, j0: r.j0, w: p, h: r.h } : { i0: r.i0, j0: r.j0, w: r.w, h: p };
  const b: Rect = vertical
    ? { i0: r.i0 + p, j0: r.j0, w: r.w - p, h: r.h }
    : { i0: r.i0, j0: r.j0 + p, w: r.w, h: r.h - p };
  split(a, n1, rng, out);
  split(b, n - n1, rng, out);
  return out;
}

/** Order blocks north-west first (rows from the top, then west to east) for natural numbering. */
function sortRects(rects: Rect[]): Rect[] {
  return rects.sort((a, b) => b.j0 + b.h - (a.j0 + a.h) || a.i0 - b.i0);
}

function makeStreetNamer(): (district: number) => string {
  const used = new Set<string>();
  const overflow: string[] = [];
  for (const w of STREET_WORDS) overflow.push(`${w}街道`);
  const cursor = DISTRICTS.map(() => 0);
  let overflowCursor = 0;
  let extra = 0;
  return (d: number) => {
    const own = DISTRICTS[d]?.streets ?? [];
    while (cursor[d] < own.length) {
      const name = own[cursor[d]++];
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
    while (overflowCursor < overflow.length) {
      const name = overflow[overflowCursor++];
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
    for (;;) {
      const name = `${STREET_WORDS[extra % STREET_WORDS.length]}${CN_DIGITS[1 + (Math.floor(extra / STREET_WORDS.length) % 9)]}街道`;
      extra++;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

function makeCommunityNamer(rng: () => number): () => string {
  const plain: string[] = [];
  const patterned: string[] = [];
  for (const w of COMMUNITY_WORDS) {
    plain.push(`${w}社区`);
    if (!COMMUNITY_PLAIN_SUFFIXED.includes(w[w.length - 1])) {
      for (const p of COMMUNITY_PATTERNS) patterned.push(`${w}${p}社区`);
    }
  }
  const list = [...COMMUNITY_FIRST.map((w) => `${w}社区`), ...shuffle(plain, rng), ...shuffle(patterned, rng)];
  const used = new Set<string>();
  let i = 0;
  let extra = 0;
  return () => {
    while (i < list.length) {
      const name = list[i++];
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
    // Exhausted (not reached at the built-in scales): numbered variants stay unique city-wide.
    for (;;) {
      const w = COMMUNITY_WORDS[extra % COMMUNITY_WORDS.length];
      const name = `${w}${CN_DIGITS[1 + (Math.floor(extra / COMMUNITY_WORDS.length) % 9)]}社区`;
      extra++;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

/**
 * Generate the demo city for a scale. Deterministic: every call returns identical (fresh) data.
 * Pure computation, ~50 ms for 'zunyi'.
 */
export function generateCityGeometry(scale: CityScale): GeneratedCityGeometry {
  return build(scale);
}

function build(scale: CityScale): GeneratedCityGeometry {
  const spec = SCALES[scale];
  if (!spec) throw new Error(`unknown scale: ${String(scale)}`);
  const rng = mulberry32(spec.seed);
  const { cols, rows } = spec;

  // ---- layout (in cell units) -------------------------------------------------------------
  const districtRects = split({ i0: 0, j0: 0, w: cols, h: rows }, spec.streetsPerDistrict.length, rng);
  // keep the guillotine order (deterministic) but give 红花岗区 (index 0) the most central block
  const cx = cols / 2, cy = rows / 2;
  const centreDist = (r: Rect) => Math.hypot(r.i0 + r.w / 2 - cx, r.j0 + r.h / 2 - cy);
  let central = 0;
  for (let k = 1; k < districtRects.length; k++) if (centreDist(districtRects[k]) < centreDist(districtRects[central])) central = k;
  [districtRects[0], districtRects[central]] = [districtRects[central], districtRects[0]];

  // ---- lattice, placed so that ZUNYI_CENTER is the centre of a cell inside 红花岗区 -------------
  const hq = districtRects[0];
  const ci = hq.i0 + Math.floor(hq.w / 2);
  const cj = hq.j0 + Math.floor(hq.h / 2);
  const x0 = ZUNYI_CENTER[0] - (ci + 0.5) * CELL_LNG;
  const y0 = ZUNYI_CENTER[1] - (cj + 0.5) * CELL_LAT;
  const W = cols + 1;
  const lx = new Float64Array(W * (rows + 1));
  const ly = new Float64Array(W * (rows + 1));
  const jrng = mulberry32(spec.seed ^ 0x9e3779b9);
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      let fx = i, fy = j;
      if (i > 0 && i < cols && j > 0 && j < rows) {
        fx += (jrng() * 2 - 1) * JITTER;
        fy += (jrng() * 2 - 1) * JITTER;
      }
      lx[j * W + i] = round(x0 + fx * CELL_LNG);
      ly[j * W + i] = round(y0 + fy * CELL_LAT);
    }
  }
  const pt = (i: number, j: number): [number, number] => [lx[j * W + i], ly[j * W + i]];

  /** CCW closed ring around a block, through every lattice point on its boundary. */
  const blockRing = (r: Rect): [number, number][] => {
    const i1 = r.i0 + r.w, j1 = r.j0 + r.h;
    const ring: [number, number][] = [];
    for (let i = r.i0; i < i1; i++) ring.push(pt(i, r.j0));
    for (let j = r.j0; j < j1; j++) ring.push(pt(i1, j));
    for (let i = i1; i > r.i0; i--) ring.push(pt(i, j1));
    for (let j = j1; j > r.j0; j--) ring.push(pt(r.i0, j));
    ring.push(pt(r.i0, r.j0));
    return ring;
  };

  const nodes: GeneratedNode[] = [];
  const buildings: GeneratedBuilding[] = [];
  nodes.push({
    key: CITY_CODE,
    level: 'city',
    code: CITY_CODE,
    name: CITY_NAME,
    parentKey: null,
    polygon: blockRing({ i0: 0, j0: 0, w: cols, h: rows }),
  });

  const streetName = makeStreetNamer();
  const communityName = makeCommunityNamer(rng);
  const streetsOut: GeneratedNode[] = [];
  const communitiesOut: GeneratedNode[] = [];
  const gridsOut: GeneratedNode[] = [];
  const [bMin, bMax] = spec.buildingsPerGrid;

  // streets per district, then communities per street (largest remainder by area, >= 1 each)
  const streetRects = districtRects.map((dRect, d) =>
    sortRects(split(dRect, Math.min(spec.streetsPerDistrict[d], dRect.w * dRect.h), rng)),
  );
  const allStreets = streetRects.flat();
  const totalCells = cols * rows;
  const commCounts = allStreets.map((r) => Math.max(1, Math.floor((spec.communities * r.w * r.h) / totalCells)));
  let missing = spec.communities - commCounts.reduce((a, b) => a + b, 0);
  const byRemainder = allStreets
    .map((r, k) => ({ k, rem: (spec.communities * r.w * r.h) / totalCells - commCounts[k] }))
    .sort((a, b) => b.rem - a.rem || a.k - b.k);
  for (let t = 0; missing > 0 && t < byRemainder.length * 4; t++) {
    const k = byRemainder[t % byRemainder.length].k;
    if (commCounts[k] < allStreets[k].w * allStreets[k].h) {
      commCounts[k]++;
      missing--;
    }
  }
  let streetSeq = 0;

  districtRects.forEach((dRect, d) => {
    const dInfo = DISTRICTS[d] ?? { county: `5203${pad3(d + 8).slice(1)}`, name: `第${d + 1}区`, streets: [] };
    const dCode = `${dInfo.county}000000`;
    nodes.push({ key: dCode, level: 'district', code: dCode, name: dInfo.name, parentKey: CITY_CODE, polygon: blockRing(dRect) });

    streetRects[d].forEach((sRect, s) => {
      const sCode = `${dInfo.county}${pad3(s + 1)}000`;
      streetsOut.push({ key: sCode, level: 'street', code: sCode, name: streetName(d), parentKey: dCode, polygon: blockRing(sRect) });

      const nComm = commCounts[streetSeq++];
      const cRects = sortRects(split(sRect, nComm, rng));
      cRects.forEach((cRect, c) => {
        const cCode = `${sCode.slice(0, 9)}${pad3(c + 1)}`;
        const cName = communityName();
        communitiesOut.push({ key: cCode, level: 'community', code: cCode, name: cName, parentKey: sCode, polygon: blockRing(cRect) });

        let gridNo = 0;
        for (let j = cRect.j0 + cRect.h - 1; j >= cRect.j0; j--) {
          for (let i = cRect.i0; i < cRect.i0 + cRect.w; i++) {
            gridNo++;
            const gCode = `${cCode}${pad3(gridNo)}`;
            const A = pt(i, j), B = pt(i + 1, j), C = pt(i + 1, j + 1), D = pt(i, j + 1);
            gridsOut.push({
              key: gCode,
              level: 'grid',
              code: gCode,
              name: `第${gridNo}网格`,
              parentKey: cCode,
              polygon: [A, B, C, D, [A[0], A[1]]],
            });
            // buildings: bilinear interior points of the (convex) cell with a 12% margin
            const nb = bMin + Math.floor(rng() * (bMax - bMin + 1));
            const xiaoqu = rng() < 0.5 ? `${XIAOQU_WORDS[Math.floor(rng() * XIAOQU_WORDS.length)]}小区` : '';
            for (let b = 1; b <= nb; b++) {
              const u = 0.12 + 0.76 * rng();
              const v = 0.12 + 0.76 * rng();
              const w00 = (1 - u) * (1 - v), w10 = u * (1 - v), w11 = u * v, w01 = (1 - u) * v;
              const bCode = `${gCode}${pad3(b)}`;
              buildings.push({
                key: bCode,
                gridKey: gCode,
                code: bCode,
                name: `${xiaoqu}${b}栋`,
                point: [
                  round(w00 * A[0] + w10 * B[0] + w11 * C[0] + w01 * D[0]),
                  round(w00 * A[1] + w10 * B[1] + w11 * C[1] + w01 * D[1]),
                ],
              });
            }
          }
        }
      });
    });
  });

  nodes.push(...streetsOut, ...communitiesOut, ...gridsOut);
  return { nodes, buildings };
}
