/** Chinese words for the case fields the ledgers show (the console's zh strings, web/src/i18n.ts). */

export const statusLabels: Record<string, string> = {
  submitted: '待受理',
  dispatched: '已派单',
  in_progress: '处置中',
  summoned: '已吹哨',
  replied: '已答复',
  called_back: '已回访',
  rated: '已评价',
  closed: '已办结',
  declined: '不予受理',
  merged: '已合并',
};

export const channelLabels: Record<string, string> = {
  qr: '扫码反映',
  h5: 'H5',
  grid_worker: '网格员代报',
  hotline: '热线',
  open311: 'Open311',
};

export const colorLabels: Record<string, string> = { red: '红', orange: '橙', yellow: '黄', green: '绿' };

export const holderLabels: Record<string, string> = { grid: '网格', community: '社区', street: '街道' };

export const satisfactionLabels: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' };

export const levelLabels: Record<string, string> = { city: '市', district: '区县', street: '街道', community: '社区', grid: '网格', department: '部门' };

/** A measure's Chinese label with its channel or colour spelled out (渠道:热线 rather than 渠道:hotline). */
export function measureLabel(name: string, zh: string): string {
  if (name.startsWith('channel_')) return `渠道:${channelLabels[name.slice(8)] ?? name.slice(8)}`;
  if (name.startsWith('color_')) return `分级:${colorLabels[name.slice(6)] ?? name.slice(6)}`;
  return zh;
}
