/**
 * Word lists and small generators for realistic Chinese demo data (names, phones, unit names).
 * Everything here is driven by a caller-supplied PRNG so the demo city is deterministic.
 */
import { mulberry32, type Rng } from '../../shared/random.ts';

export type { Rng };

/** mulberry32: tiny, fast, good enough for demo data. */
export const createRng = (seed: number): Rng => mulberry32(seed);

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
export const intBetween = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

/** Cumulative-weight sampler over `[value, weight]` pairs. */
export function weighted<T>(pairs: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const values = pairs.map((p) => p[0]);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of pairs) cumulative.push((total += w));
  return (rng) => {
    const x = rng() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  };
}

/** Common surnames, weighted roughly by frequency (with a few common in Guizhou). */
export const pickSurname = weighted<string>([
  ['王', 72], ['李', 70], ['张', 68], ['刘', 53], ['陈', 46], ['杨', 38], ['黄', 25], ['赵', 23], ['吴', 22], ['周', 21],
  ['徐', 15], ['孙', 15], ['马', 13], ['朱', 13], ['胡', 12], ['郭', 11], ['何', 11], ['罗', 11], ['高', 10], ['林', 9],
  ['郑', 8], ['梁', 8], ['谢', 7], ['宋', 7], ['唐', 7], ['许', 6], ['韩', 6], ['冯', 6], ['邓', 6], ['曹', 5],
  ['彭', 5], ['曾', 5], ['肖', 5], ['田', 5], ['董', 5], ['袁', 4], ['潘', 4], ['蒋', 4], ['蔡', 4], ['余', 4],
  ['杜', 4], ['叶', 4], ['程', 4], ['魏', 4], ['苏', 3], ['吕', 3], ['丁', 3], ['任', 3], ['卢', 3], ['姚', 3],
  ['沈', 3], ['钟', 3], ['姜', 3], ['崔', 3], ['谭', 3], ['陆', 3], ['范', 3], ['汪', 3], ['廖', 3], ['石', 3],
  ['金', 2], ['韦', 2], ['贾', 2], ['夏', 2], ['付', 2], ['方', 2], ['邹', 2], ['熊', 2], ['白', 2], ['孟', 2],
  ['秦', 2], ['邱', 2], ['侯', 2], ['江', 2], ['尹', 2], ['薛', 2], ['闫', 2], ['段', 2], ['雷', 2], ['龙', 2],
  ['黎', 2], ['史', 2], ['陶', 2], ['贺', 2], ['毛', 2], ['郝', 1], ['顾', 1], ['龚', 1], ['邵', 1], ['万', 1],
  ['覃', 1], ['武', 1], ['钱', 1], ['戴', 1], ['严', 1], ['欧阳', 0.3], ['令狐', 0.2], ['申', 1], ['母', 0.5], ['穆', 0.5],
]);

const MALE_CHARS = Array.from('伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘宇浩然睿轩');
const FEMALE_CHARS = Array.from('秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽');

/** A full Chinese name: surname + one or two given-name characters (two-character given names are more common among the young). */
export function chineseName(rng: Rng, gender: 'male' | 'female', birthYear = 1980): string {
  const chars = gender === 'male' ? MALE_CHARS : FEMALE_CHARS;
  const twoChars = rng() < (birthYear >= 1990 ? 0.8 : 0.55);
  const given = twoChars ? pick(rng, chars) + pick(rng, chars) : pick(rng, chars);
  return pickSurname(rng) + given;
}

const PHONE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157', '158', '159', '166', '173', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199'];

/** 11-digit mainland mobile number `1[3-9]x xxxx xxxx`. */
export function mobilePhone(rng: Rng): string {
  const tail = Math.floor(rng() * 1e8);
  return pick(rng, PHONE_PREFIXES) + String(tail).padStart(8, '0');
}

export const CITY_DEPARTMENTS = ['城管局', '住建局', '水务局', '民政局', '公安局', '教育局', '人社局', '市场监管局', '卫健局', '生态环境局'] as const;

export const CITY_AGENCIES = [
  '遵义市委组织部', '遵义市委宣传部', '遵义市委政法委', '遵义市机关事务管理局', '遵义供电局', '遵义市自来水公司',
  '中国移动遵义分公司', '遵义市公共交通集团', '遵义市中心血站', '遵义日报社', '遵义市图书馆', '遵义市税务局',
];
export const DISTRICT_AGENCY_SUFFIXES = ['区委组织部', '区民政局', '区城市管理局', '区税务局'];

export const SCHOOL_WORDS = ['第一小学', '第二小学', '第三小学', '实验小学', '第四中学', '第五中学', '第十一中学', '幼儿园', '职业技术学校', '第一中学', '育才小学', '外国语学校'];
export const HOSPITAL_WORDS = ['社区卫生服务中心', '人民医院分院', '中医院门诊部', '妇幼保健院', '口腔医院', '康复医院'];
export const COMPANY_WORDS = ['酒业有限公司', '建设工程有限公司', '商贸有限公司', '农商银行支行', '电子科技有限公司', '物流有限公司', '食品有限公司', '汽车销售服务有限公司', '建设银行支行', '邮政支局', '燃气有限公司', '茶业有限公司'];
export const PROPERTY_COMPANY_WORDS = ['物业服务有限公司', '物业管理有限公司', '红色物业服务中心', '物业服务中心'];
export const PROPERTY_BRANDS = ['金管家', '恒信', '安居', '中天', '万家', '碧桂', '华鑫', '凤凰', '红城', '和美', '嘉禾', '宏远', '天成', '德信', '锦程', '家和'];
export const SOCIAL_ORG_WORDS = ['志愿者协会', '红色跑团', '微心愿服务队', '老年协会', '社会工作服务中心', '调解委员会', '邻里互助会', '文艺队'];
export const SHOP_WORDS = ['便民超市', '理发店', '早餐店', '药房', '五金店', '洗衣店', '水果店', '面馆', '家电维修', '文具店', '粮油店', '羊肉粉馆'];
export const POSITIONS_FULL = ['书记', '副书记', '组织委员', '宣传委员', '纪检委员'] as const;
