// Strings of the grid worker app: Simplified Chinese by default, English on request (kept in localStorage).
import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';

const zh = {
  appName: '网格通·网格员',
  online: '在线',
  offline: '离线',
  pending: '待同步 {n}',
  langSwitch: 'English',
  logout: '退出',
  loginTitle: '网格员登录',
  username: '账号',
  password: '密码',
  login: '登录',
  loggingIn: '登录中…',
  loginNeedsNetwork: '首次登录需要联网。',
  loginFailed: '登录失败',
  myTasks: '我的任务',
  refresh: '刷新',
  noTasks: '暂无待办任务',
  taskGone: '此任务已不在我的任务中（已上报、已办结或已改派）。',
  cachedAt: '离线数据，更新于 {t}',
  loadMore: '加载更多',
  back: '返回',
  dueIn: '剩余 {t}',
  overdueBy: '已超时 {t}',
  overdue: '超时',
  noDeadline: '无时限',
  days: '{n}天',
  hours: '{n}小时',
  minutes: '{n}分',
  seconds: '{n}秒',
  call: '拨打电话',
  calling: '获取号码…',
  callOffline: '离线时无法获取居民号码，请联网后再拨打。',
  callNumber: '拨打 {phone}',
  reporter: '反映人电话',
  noPhone: '未留电话',
  address: '地点',
  category: '类别',
  description: '问题描述',
  history: '办理记录',
  recordContact: '已电话联系居民',
  contactNote: '联系情况（可选）',
  reply: '办结答复',
  replyNote: '处理结果（必填）',
  replyNotePlaceholder: '写明处理结果，居民将看到此答复',
  photos: '照片（最多 6 张）',
  photosUnavailable: '照片上传暂不可用',
  submitReply: '提交答复',
  escalate: '上报上级',
  escalateNote: '上报原因（必填）',
  submitEscalate: '确认上报',
  requestExtension: '申请延期',
  extensionNote: '延期理由（必填）',
  submitExtension: '提交延期申请',
  cancel: '取消',
  removePhoto: '移除',
  draftSaved: '草稿已自动保存',
  queued: '已加入待同步队列',
  pendingAction: '待同步：{action}',
  conflict: '冲突：{message}',
  failed: '失败：{message}',
  reload: '重新加载',
  discard: '放弃',
  restoredDraft: '已放弃的答复内容已恢复为草稿。',
  sessionExpired: '登录已过期，请重新登录后继续同步。',
  unsyncedOnLogout: '还有 {n} 条操作未同步，退出后将在再次登录时继续同步。确定退出？',
  status: {
    submitted: '待受理',
    dispatched: '已派单',
    in_progress: '处理中',
    summoned: '已吹哨',
    replied: '已答复',
    called_back: '已回访',
    rated: '已评价',
    closed: '已办结',
    declined: '已退回',
    merged: '已合并',
  } as Record<string, string>,
  level: { grid: '网格', community: '社区', street: '街道' } as Record<string, string>,
  color: { red: '红', orange: '橙', yellow: '黄', green: '绿' } as Record<string, string>,
  deadlineKind: { dispatch: '派单', contact: '联系', resolve: '办结', report_in: '报到', callback: '回访' } as Record<string, string>,
  action: {
    record_contact: '记录联系',
    reply: '答复',
    escalate: '上报',
    request_extension: '申请延期',
  } as Record<string, string>,
  extensionPending: '延期待审批',
  assigned: '派给我',
};

type Strings = typeof zh;

const en: Strings = {
  appName: 'CivicGrid · Grid worker',
  online: 'Online',
  offline: 'Offline',
  pending: 'To sync {n}',
  langSwitch: '中文',
  logout: 'Log out',
  loginTitle: 'Grid worker login',
  username: 'Username',
  password: 'Password',
  login: 'Log in',
  loggingIn: 'Logging in…',
  loginNeedsNetwork: 'The first login needs a network connection.',
  loginFailed: 'Login failed',
  myTasks: 'My tasks',
  refresh: 'Refresh',
  noTasks: 'Nothing to do right now',
  taskGone: 'This task is no longer yours (escalated, finished or reassigned).',
  cachedAt: 'Offline copy from {t}',
  loadMore: 'Load more',
  back: 'Back',
  dueIn: '{t} left',
  overdueBy: 'Overdue by {t}',
  overdue: 'Overdue',
  noDeadline: 'No deadline',
  days: '{n}d',
  hours: '{n}h',
  minutes: '{n}m',
  seconds: '{n}s',
  call: 'Call',
  calling: 'Getting the number…',
  callOffline: "The resident's number is only available online: call once you have a connection.",
  callNumber: 'Call {phone}',
  reporter: "Reporter's phone",
  noPhone: 'No phone left',
  address: 'Place',
  category: 'Category',
  description: 'Problem',
  history: 'History',
  recordContact: 'I phoned the resident',
  contactNote: 'How it went (optional)',
  reply: 'Handle & reply',
  replyNote: 'Result (required)',
  replyNotePlaceholder: 'What was done: the resident will see this reply',
  photos: 'Photos (up to 6)',
  photosUnavailable: 'Photo upload is not available yet',
  submitReply: 'Send reply',
  escalate: 'Escalate',
  escalateNote: 'Reason (required)',
  submitEscalate: 'Escalate now',
  requestExtension: 'Request extension',
  extensionNote: 'Reason (required)',
  submitExtension: 'Send request',
  cancel: 'Cancel',
  removePhoto: 'Remove',
  draftSaved: 'Draft saved',
  queued: 'Queued for sync',
  pendingAction: 'To sync: {action}',
  conflict: 'Conflict: {message}',
  failed: 'Failed: {message}',
  reload: 'Reload',
  discard: 'Discard',
  restoredDraft: 'The discarded reply is back in your draft.',
  sessionExpired: 'Your session expired: log in again to continue syncing.',
  unsyncedOnLogout: '{n} actions are not synced yet; they will sync when you log in again. Log out?',
  status: {
    submitted: 'Submitted',
    dispatched: 'Dispatched',
    in_progress: 'In progress',
    summoned: 'Summoned',
    replied: 'Replied',
    called_back: 'Called back',
    rated: 'Rated',
    closed: 'Closed',
    declined: 'Declined',
    merged: 'Merged',
  },
  level: { grid: 'Grid', community: 'Community', street: 'Street' },
  color: { red: 'Red', orange: 'Orange', yellow: 'Yellow', green: 'Green' },
  deadlineKind: { dispatch: 'dispatch', contact: 'contact', resolve: 'resolve', report_in: 'report in', callback: 'callback' },
  action: {
    record_contact: 'record contact',
    reply: 'reply',
    escalate: 'escalate',
    request_extension: 'extension request',
  },
  extensionPending: 'Extension awaiting approval',
  assigned: 'Assigned to me',
};

export const strings: Record<Lang, Strings> = { zh, en };

const LANG_KEY = 'cg-worker-lang';

export function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function saveLang(lang: Lang) {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // private mode: the choice lasts for this visit only
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export const format = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));

export const LangContext = createContext<{ lang: Lang; t: Strings }>({ lang: 'zh', t: zh });
export const useT = () => useContext(LangContext);
