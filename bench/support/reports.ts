/**
 * Realistic anonymous reports for POST /api/v1/public/cases: a random demo building's QR code, a random
 * category, a 40–200 character Chinese description, and for half of them a phone number with consent.
 */
import type { Rng } from '../../src/shared/random.ts';

const PHRASES = [
  '小区门口的路灯已经坏了一个多星期，晚上出门很不方便，',
  '楼道里堆满了杂物，存在消防安全隐患，希望尽快清理，',
  '单元楼下的下水道堵塞，污水漫到人行道上，气味很大，',
  '最近每天晚上十点以后还有人在广场上跳舞，音响声音太大，',
  '电梯经常停在三楼不动，老人上下楼非常困难，',
  '路边的井盖松动了，车辆经过时响声很大，担心有人踩空，',
  '垃圾桶已经满了两天没有人清运，周围苍蝇很多，',
  '楼上住户空调外机滴水，一直滴在我家窗台上，',
  '希望社区能在小区里增加几张休息的长椅，方便老人晒太阳，',
  '人行道上的路沿石破损，轮椅和婴儿车都过不去，',
  '隔壁装修从早上七点就开始打电钻，周末也不停，',
  '独居的王奶奶这几天没有出门，邻居有点担心她的身体，',
  '想咨询一下医保异地报销需要准备哪些材料，',
  '自来水有时候发黄，烧开以后有沉淀，请帮忙检测一下，',
  '小区车位被外来车辆长期占用，业主回来没有地方停车，',
  '请尽快派人来看看，谢谢！',
];

export function chineseDescription(rng: Rng, minLength = 40, maxLength = 200): string {
  const target = minLength + Math.floor(rng() * (maxLength - minLength + 1));
  let text = '';
  while (text.length < target) text += PHRASES[Math.floor(rng() * PHRASES.length)];
  return text.slice(0, target);
}

export interface ReportBody {
  placeCode: string;
  categoryCode: string;
  description: string;
  reporterName?: string;
  reporterPhone?: string;
  consent?: boolean;
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];

export function randomReport(rng: Rng, buildingCodes: readonly string[], categoryCodes: readonly string[], marker = ''): ReportBody {
  const pick = <T,>(items: readonly T[]) => items[Math.floor(rng() * items.length)];
  // The marker (fault test) goes first so it survives the description's length limit.
  const body: ReportBody = { placeCode: pick(buildingCodes), categoryCode: pick(categoryCodes), description: marker + chineseDescription(rng) };
  if (rng() < 0.5) {
    body.reporterPhone = `1${3 + Math.floor(rng() * 7)}${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`;
    body.consent = true;
    if (rng() < 0.5) body.reporterName = `${pick(SURNAMES)}先生`;
  }
  return body;
}
