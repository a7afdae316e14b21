/**
 * Past cases from another hotline system (历史工单导入): the target fields, their validators, and the
 * default table of the old systems' status words. Pure: no database, so the kinds list can use it.
 */
import { caseChannels, triageColors } from '../../db/schema/cases.ts';
import { caseStatuses, type CaseStatus } from '../cases/case-lifecycle.ts';

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

const pad = (n: number) => String(n).padStart(2, '0');
const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * A moment, as epoch milliseconds. Written without an offset it is Beijing time (UTC+8): 2023-05-01 08:30,
 * 2023/5/1 8:30:15, 2023年5月1日 8时30分, 20230501083000, 2023-05-01T08:30:00+08:00 or …Z, an Excel serial
 * day number with a fraction (45047.354), or a day alone (midnight).
 */
export function parseMoment(raw: string): Parsed<number> {
  const value = raw.trim();
  const serial = /^\d{4,5}(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (Number.isFinite(serial) && serial > 0 && serial < 2958466) {
    // Excel's day 1 is 1900-01-01 and it counts a non-existent 1900-02-29; the fraction is the time of day.
    const days = serial - (serial > 60 ? 1 : 0);
    const wallClock = Math.round((Date.UTC(1899, 11, 31) + days * 86_400_000) / 1000) * 1000;
    return ok(wallClock - CHINA_OFFSET_MS);
  }
  const match =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?\s*分?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value) ??
    /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?()()$/.exec(value);
  if (!match) return bad('时间格式应为 YYYY-MM-DD HH:mm[:ss] / A time must be written YYYY-MM-DD HH:mm[:ss] (Beijing time unless an offset is given)');
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => (part === undefined || part === '' ? 0 : Number(part)));
  const fraction = match[7] ? Number(`0.${match[7]}`) * 1000 : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return bad('时间不存在 / Not a real time');
  }
  const utcFields = Date.UTC(year, month - 1, day, hour, minute, second, Math.round(fraction));
  const check = new Date(utcFields);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || year < 1970 || year > 2200) {
    return bad(`日期不存在：${year}-${pad(month)}-${pad(day)} / Not a real date`);
  }
  const zone = match[8];
  if (!zone) return ok(utcFields - CHINA_OFFSET_MS);
  if (zone.toUpperCase() === 'Z') return ok(utcFields);
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return ok(utcFields - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
}

const lookupValidator =
  <T>(table: Record<string, T>, what: string, known: string) =>
  (raw: string): Parsed<T> => {
    const key = raw.trim().toLowerCase().replace(/\s+/g, '');
    return key in table ? ok(table[key]) : bad(`未知的${what}“${raw.trim()}” / Unknown ${what}: "${raw.trim()}" (${known})`);
  };

const satisfactionWords: Record<string, 'satisfied' | 'basically_satisfied' | 'dissatisfied'> = {
  满意: 'satisfied',
  非常满意: 'satisfied',
  很满意: 'satisfied',
  satisfied: 'satisfied',
  基本满意: 'basically_satisfied',
  比较满意: 'basically_satisfied',
  basically_satisfied: 'basically_satisfied',
  不满意: 'dissatisfied',
  非常不满意: 'dissatisfied',
  很不满意: 'dissatisfied',
  dissatisfied: 'dissatisfied',
};
export const satisfaction = lookupValidator(satisfactionWords, '满意度', '满意/基本满意/不满意');

const resolvedWords: Record<string, boolean> = {
  是: true,
  已解决: true,
  解决: true,
  已办结解决: true,
  yes: true,
  true: true,
  '1': true,
  否: false,
  未解决: false,
  没有解决: false,
  未办结: false,
  no: false,
  false: false,
  '0': false,
};
export const resolved = lookupValidator(resolvedWords, '解决情况', '是/否、已解决/未解决');

const channelWords: Record<string, (typeof caseChannels)[number]> = {
  热线: 'hotline',
  '12345': 'hotline',
  电话: 'hotline',
  市民热线: 'hotline',
  便民热线: 'hotline',
  扫码: 'qr',
  二维码: 'qr',
  扫码反映: 'qr',
  网格员: 'grid_worker',
  网格员上报: 'grid_worker',
  网格员代报: 'grid_worker',
  走访: 'grid_worker',
  h5: 'h5',
  网页: 'h5',
  网站: 'h5',
  微信: 'h5',
  小程序: 'h5',
  app: 'h5',
};
for (const channel of caseChannels) channelWords[channel] = channel;
export const channel = lookupValidator(channelWords, '渠道', '热线/扫码/网格员/网页/open311');

const colorWords: Record<string, (typeof triageColors)[number]> = { 红: 'red', 红色: 'red', 橙: 'orange', 橙色: 'orange', 黄: 'yellow', 黄色: 'yellow', 绿: 'green', 绿色: 'green' };
for (const color of triageColors) colorWords[color] = color;
export const color = lookupValidator(colorWords, '分级', '红/橙/黄/绿');

export const moment = (raw: string): Parsed<number> => parseMoment(raw);

/**
 * The old systems' words for a case's state (办理状态) and what they mean here. A city may add or override
 * words per import (`options.statusMap`); the lifecycle's own names are always understood.
 */
export const defaultStatusWords: Record<string, CaseStatus> = {
  已办结: 'closed',
  办结: 'closed',
  已完成: 'closed',
  完成: 'closed',
  已结案: 'closed',
  结案: 'closed',
  已归档: 'closed',
  归档: 'closed',
  已关闭: 'closed',
  关闭: 'closed',
  已解决: 'closed',
  办理中: 'in_progress',
  处理中: 'in_progress',
  处置中: 'in_progress',
  承办中: 'in_progress',
  正在办理: 'in_progress',
  已签收: 'in_progress',
  已派单: 'dispatched',
  已派发: 'dispatched',
  已转办: 'dispatched',
  转办: 'dispatched',
  待办理: 'dispatched',
  待签收: 'dispatched',
  待受理: 'submitted',
  未受理: 'submitted',
  待派单: 'submitted',
  待处理: 'submitted',
  新建: 'submitted',
  已吹哨: 'summoned',
  已答复: 'replied',
  已回复: 'replied',
  已反馈: 'replied',
  待回访: 'replied',
  已回访: 'called_back',
  待评价: 'called_back',
  已评价: 'rated',
  不予受理: 'declined',
  无效工单: 'declined',
  已退回: 'declined',
  已撤销: 'declined',
  撤销: 'declined',
  作废: 'declined',
  重复工单: 'merged',
  重复: 'merged',
  已合并: 'merged',
};
for (const status of caseStatuses) defaultStatusWords[status] = status;

export const normaliseWord = (word: string) => word.trim().toLowerCase().replace(/\s+/g, '');

/** The status table of one import: the defaults, then the city's own words. */
export function statusTable(overrides: Record<string, string> | undefined): Map<string, CaseStatus> {
  const table = new Map<string, CaseStatus>();
  for (const [word, status] of Object.entries(defaultStatusWords)) table.set(normaliseWord(word), status);
  for (const [word, status] of Object.entries(overrides ?? {})) table.set(normaliseWord(word), status as CaseStatus);
  return table;
}

export const isCaseStatus = (value: unknown): value is CaseStatus => typeof value === 'string' && (caseStatuses as readonly string[]).includes(value);
