/** 分色治理: red (safety, urgent) > orange > yellow > green (suggestion, consultation). */
export type TriageColor = 'red' | 'orange' | 'yellow' | 'green';
const rank: Record<TriageColor, number> = { green: 0, yellow: 1, orange: 2, red: 3 };

export const higherColor = (a: TriageColor, b: TriageColor): TriageColor => (rank[a] >= rank[b] ? a : b);

/** The category's default colour, raised (never lowered) by keywords found in the text. */
export function triageColor(defaultColor: TriageColor, raiseKeywords: Partial<Record<TriageColor, string[]>>, text: string): { color: TriageColor; matched: string[] } {
  let color = defaultColor;
  const matched: string[] = [];
  for (const [candidate, words] of Object.entries(raiseKeywords) as Array<[TriageColor, string[]]>) {
    for (const word of words ?? []) {
      if (word && text.includes(word)) {
        matched.push(word);
        color = higherColor(color, candidate);
      }
    }
  }
  return { color, matched };
}

/** Default categories of a new city (editable data; seed 004 lists 20+ service areas). */
export const defaultCaseCategories: Array<{ code: string; name: string; defaultColor: TriageColor; raiseKeywords: Partial<Record<TriageColor, string[]>> }> = [
  { code: 'public_safety', name: '安全隐患', defaultColor: 'red', raiseKeywords: {} },
  { code: 'gas_electric', name: '燃气电力', defaultColor: 'orange', raiseKeywords: { red: ['燃气泄漏', '漏气', '漏电', '起火', '冒烟'] } },
  { code: 'water_supply', name: '供水排水', defaultColor: 'orange', raiseKeywords: { red: ['爆管', '倒灌', '淹'] } },
  { code: 'roads_facilities', name: '道路设施', defaultColor: 'yellow', raiseKeywords: { red: ['塌陷', '井盖缺失', '坑洞'], orange: ['路沿石', '破损'] } },
  { code: 'environment', name: '环境卫生', defaultColor: 'yellow', raiseKeywords: { orange: ['垃圾堆积', '异味'] } },
  { code: 'property', name: '物业管理', defaultColor: 'yellow', raiseKeywords: { red: ['电梯困人'], orange: ['电梯故障'] } },
  { code: 'noise', name: '噪音扰民', defaultColor: 'yellow', raiseKeywords: {} },
  { code: 'neighbour_dispute', name: '邻里纠纷', defaultColor: 'orange', raiseKeywords: { red: ['打架', '持刀'] } },
  { code: 'elderly_care', name: '养老助残', defaultColor: 'orange', raiseKeywords: { red: ['独居老人', '摔倒', '无人照料'] } },
  { code: 'social_security', name: '社保民政', defaultColor: 'yellow', raiseKeywords: {} },
  { code: 'consultation', name: '政策咨询', defaultColor: 'green', raiseKeywords: {} },
  { code: 'suggestion', name: '意见建议', defaultColor: 'green', raiseKeywords: {} },
];
