import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Actor } from '../policy/actor.ts';
import { describeNode, monthIndex, monthOfIndex, parseMonthRange, readableMetricNode, type NodeRef } from './metrics.service.ts';
import { monthRangeFilter, nodeCasesFilter } from './metrics.repository.ts';
import type { MonthRange } from './metrics.repository.ts';

const require = createRequire(import.meta.url);

interface Segmenter {
  cut(text: string, hmm?: boolean): string[];
  tag(text: string, hmm?: boolean): Array<{ tag: string; word: string }>;
}
let segmenter: Segmenter | null = null;

/** jieba with its bundled dictionary, loaded once per process (about 0.5 s). */
function jieba(): Segmenter {
  if (!segmenter) {
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Segmenter } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    segmenter = Jieba.withDict(dict);
  }
  return segmenter;
}

/**
 * Words that say nothing about what residents ask for: function words, request boilerplate (反映, 希望,
 * 解决…), places that every case names (小区, 社区…) and time words.
 */
export const stopWords = new Set(
  `的 了 是 在 和 与 及 或 有 也 都 就 还 又 很 太 被 把 让 给 对 向 从 到 为 以 而 但 并 等 这 那 其 该 此 之 个 些 每 各 我 你 他 她 它 我们 你们 他们 自己
  一个 一些 没有 不是 可以 能够 需要 希望 要求 请求 请 麻烦 帮忙 帮助 反映 反应 投诉 举报 咨询 建议 问题 情况 事情 现象 存在 出现 发生 导致 造成 影响
  解决 处理 尽快 及时 相关 部门 单位 工作人员 居民 群众 市民 业主 本人 家里 家中 附近 周边 门口 楼下 楼上 旁边 这里 那里 哪里 这边 那边
  小区 社区 街道 网格 楼栋 单元 号楼 栋 号 楼 室 路 街 巷 村 区 市 县 镇
  现在 目前 已经 一直 经常 总是 每天 天天 晚上 白天 早上 上午 下午 中午 夜间 凌晨 今天 昨天 最近 近期 之前 以前 以后 时候 时间 多次 几次 好几 一天 几天
  作为 增加 位于 盼复 谢谢 现场 持续 正常 生活 一下 一次 好几天 反馈 联系 电话 来电 市民来电 诉求 诉求人 来电人 表示 称 回复 答复 处理 派人
  非常 特别 比较 严重 十分 已 未 不 没 无 能 会 要 想 说 去 来 做 用 看 找 让 使 进行 得到 无法 不能 不会 不要 还是 但是 因为 所以 如果 虽然 然后 而且 并且`.split(/\s+/).filter(Boolean),
);

/**
 * Parts of speech that carry no topic: place and person names, numerals, measure words, pronouns,
 * prepositions, conjunctions, particles, adverbs, time and direction words, punctuation.
 */
const CACHE_MS = 60_000;

const skippedTags = /^(ns|nr|nrt|nrfg|m|mq|q|r|p|c|u|uj|ul|uz|uv|ud|ug|d|t|f|s|x|e|y|o|zg)$/;
/** Words that name a place by their ending (路, 街, 小区…): every case says where it is. */
const placeEnding = /(省|市|区|县|镇|乡|村|街道|街|路|巷|道|社区|小区|花园|苑|庄|栋|号|单元|楼)$/;

/** The distinct meaningful words of one case text: two characters or more, not a stop word, place, name or number. */
export function topicWords(text: string, places: ReadonlySet<string> = new Set()): Set<string> {
  const words = new Set<string>();
  for (const { tag, word: raw } of jieba().tag(text, true)) {
    const word = raw.trim();
    if ([...word].length < 2) continue;
    if (stopWords.has(word) || places.has(word)) continue;
    if (skippedTags.test(tag) || placeEnding.test(word)) continue;
    if (!/\p{Script=Han}/u.test(word)) continue;
    words.add(word);
  }
  return words;
}

const placeWordsByDatabase = new WeakMap<object, Map<number, { at: number; words: Set<string> }>>();

/** The city's own place names (districts down to communities) and their parts, which every case text repeats. */
async function placeWords(context: AppContext, cityId: number): Promise<Set<string>> {
  let placeWordsByCity = placeWordsByDatabase.get(context.database);
  if (!placeWordsByCity) placeWordsByDatabase.set(context.database, (placeWordsByCity = new Map()));
  const hit = placeWordsByCity.get(cityId);
  if (hit && Date.now() - hit.at < 10 * CACHE_MS) return hit.words;
  const rows = await context.database.rows<{ name: string }>(
    sql`SELECT DISTINCT name FROM region_nodes WHERE city_id = ${cityId} AND level IN ('city', 'district', 'street', 'community', 'compound') LIMIT 20000`,
  );
  const words = new Set<string>();
  for (const { name } of rows) {
    words.add(name);
    for (const part of jieba().cut(name, true)) if ([...part].length >= 2) words.add(part);
  }
  placeWordsByCity.set(cityId, { at: Date.now(), words });
  return words;
}

/** How many of the period's cases to read per period: the most recent ones, so a busy city answers fast. */
export const HOT_TOPIC_SAMPLE = 3000;

async function countWords(context: AppContext, where: ReturnType<typeof sql>, places: ReadonlySet<string>) {
  const rows = await context.database.rows<{ text: string }>(
    sql`SELECT c.title || ' ' || c.description AS text FROM cases c WHERE ${where} AND c.status <> 'merged' ORDER BY c.created_at DESC LIMIT ${HOT_TOPIC_SAMPLE}`,
  );
  const counts = new Map<string, number>();
  for (const row of rows) for (const word of topicWords(row.text, places)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return { counts, read: rows.length };
}

/** The range of the same length just before `range`. */
export function previousRange(range: MonthRange): MonthRange {
  const length = monthIndex(range.to) - monthIndex(range.from);
  return { from: `${monthOfIndex(monthIndex(range.from) - length)}-01`, to: range.from };
}

const cache = new WeakMap<object, Map<string, { at: number; value: unknown }>>();

/**
 * Hot topics (热点诉求) of a node and period: the words most cases use, each with its count in the previous
 * period of the same length, so the trend shows what is rising. Counts are cases (a word counts once per case).
 */
export async function hotTopics(context: AppContext, actor: Actor, input: { node: NodeRef | null; from: string; to?: string; limit?: number }) {
  const range = parseMonthRange(input.from, input.to);
  const node = await readableMetricNode(context, actor, input.node);
  const limit = input.limit ?? 30;
  const key = `${node.kind}:${node.id}:${range.from}:${range.to}:${limit}`;
  let byDatabase = cache.get(context.database);
  if (!byDatabase) cache.set(context.database, (byDatabase = new Map()));
  const hit = byDatabase.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const scoped = (r: MonthRange) => sql`c.city_id = ${node.cityId} AND ${nodeCasesFilter(node)} AND ${monthRangeFilter(r)}`;
  const previous = previousRange(range);
  const places = await placeWords(context, node.cityId);
  const current = await countWords(context, scoped(range), places);
  const before = await countWords(context, scoped(previous), places);
  const topics = [...current.counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([word, count]) => {
      const previousCount = before.counts.get(word) ?? 0;
      return { word, count, previousCount, trend: count > previousCount ? 'up' : count < previousCount ? 'down' : 'flat' };
    });
  const value = {
    node: describeNode(node),
    period: { from: input.from, to: input.to ?? input.from },
    casesRead: current.read,
    previousCasesRead: before.read,
    sampleLimit: HOT_TOPIC_SAMPLE,
    topics,
  };
  if (byDatabase.size > 500) byDatabase.clear();
  byDatabase.set(key, { at: Date.now(), value });
  return value;
}
