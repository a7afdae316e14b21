/** Chinese words for the ledgers (the console keeps its own zh/en words). */
export const visitPurposeWords: Record<string, string> = { routine: '日常走访', care: '关爱走访', dispute: '纠纷排查', policy: '政策宣传', other: '其他' };
export const disputeCategoryWords: Record<string, string> = { neighbour: '邻里纠纷', family: '家庭纠纷', property: '物业纠纷', labour: '劳资纠纷', land: '土地纠纷', other: '其他' };
export const disputeStatusWords: Record<string, string> = { found: '已发现', mediating: '调解中', resolved: '已化解', escalated: '已上报' };
export const careGroupWords: Record<string, string> = {
  elderly_living_alone: '独居老人',
  disabled: '残疾人',
  left_behind_child: '留守儿童',
  low_income: '低保困难',
  veteran: '退役军人',
  other: '其他',
};
