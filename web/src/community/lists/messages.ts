// 三张清单's words (zh and en), beside its page in the lazy chunk; the language follows the console's switch.
import { useMemo } from 'react';
import { useI18n } from '../../i18n.ts';

const zh = {
  menu: '三张清单',
  need: '需求清单',
  problem: '问题清单',
  service: '服务清单',
  search: '搜索标题或内容',
  status: '状态',
  quarter: '季度',
  export: '导出台账',
  create: '新增',
  compile: '汇总本季度问题',
  compiled: '已汇总：新增 {created} 项，更新 {updated} 项',
  title: '标题',
  description: '内容',
  category: '类别',
  region: '社区/网格',
  source: '来源',
  poster: '提出人',
  posterName: '居民姓名',
  posterPhone: '联系电话',
  caseCount: '工单数',
  claimer: '认领方',
  createdAt: '登记时间',
  timeline: '处理经过',
  note: '说明',
  deliveryNote: '完成情况',
  empty: '暂无事项',
  save: '保存',
  posted: '待认领',
  claimed: '已认领',
  delivered: '已完成',
  closed: '已办结',
  withdrawn: '已撤回',
  claim: '认领',
  deliver: '完成',
  close: '办结',
  withdraw: '撤回',
  release: '退回',
  threshold: '工单数下限',
  done: '操作成功',
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  menu: 'Three lists',
  need: 'Needs',
  problem: 'Problems',
  service: 'Services',
  search: 'Search title or text',
  status: 'Status',
  quarter: 'Quarter',
  export: 'Export',
  create: 'New',
  compile: "Compile this quarter's problems",
  compiled: 'Compiled: {created} new, {updated} updated',
  title: 'Title',
  description: 'Description',
  category: 'Category',
  region: 'Community / grid',
  source: 'Source',
  poster: 'Posted by',
  posterName: "Resident's name",
  posterPhone: 'Phone',
  caseCount: 'Cases',
  claimer: 'Claimed by',
  createdAt: 'Created',
  timeline: 'Timeline',
  note: 'Note',
  deliveryNote: 'Delivery',
  empty: 'No items',
  save: 'Save',
  posted: 'Posted',
  claimed: 'Claimed',
  delivered: 'Delivered',
  closed: 'Closed',
  withdrawn: 'Withdrawn',
  claim: 'Claim',
  deliver: 'Deliver',
  close: 'Close',
  withdraw: 'Withdraw',
  release: 'Release',
  threshold: 'Minimum cases',
  done: 'Done',
};

export const menuLabel = { zh: zh.menu, en: en.menu };

export function useListWords() {
  const { lang } = useI18n();
  return useMemo(() => {
    const words = lang === 'zh' ? zh : en;
    return (key: Key | string, values?: Record<string, string | number>) => {
      let text = words[key as Key] ?? key;
      for (const [k, v] of Object.entries(values ?? {})) text = text.replace(`{${k}}`, String(v));
      return text;
    };
  }, [lang]);
}
