// The street's work lists (街道吹哨): cases escalated to the street, summoned departments and their state,
// overdue cases and extension requests awaiting approval. Rows open the case page (/cases/:id).
import { useEffect, useState, type ReactNode } from 'react';
import { Space, Tag, Tooltip, type TableColumnsType } from 'antd';
import { inboxApi, isForbidden, type StreetCaseItem, type StreetDepartmentState, type StreetList } from '../api.ts';
import { Forbidden, formatTime, TruncText, useAsync } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { WorkList } from '../components/WorkList.tsx';

export const STREET_LISTS: StreetList[] = ['escalated', 'summoned', 'overdue', 'extension_requests'];

// ---- small pieces shared with the department page ----

/** The current time, ticking (countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Reloads every `ms` while the page is open (lists change as others act). */
export function usePeriodicTick(ms: number): [number, () => void] {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((x) => x + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return [tick, () => setTick((x) => x + 1)];
}

/** The tab named in `?tab=`, if it is one of `values`. */
export function useTab<T extends string>(values: readonly T[], fallback: T): [T, (v: T) => void] {
  const { pathname, search } = useLocation();
  const fromUrl = new URLSearchParams(search).get('tab') as T | null;
  const tab = fromUrl && values.includes(fromUrl) ? fromUrl : fallback;
  return [tab, (v: T) => navigate(`${pathname}?tab=${v}`, { replace: true })];
}

const COLOR_TAGS: Record<string, string> = { red: 'red', orange: 'orange', yellow: 'gold', green: 'green' };

export function TriageColorTag({ color }: { color: string }) {
  const { t } = useI18n();
  return (
    <Tag color={COLOR_TAGS[color] ?? 'default'} data-testid="inbox-color" data-color={color}>
      {t(`inboxColor_${color}` as MsgKey)}
    </Tag>
  );
}

/** "3小时12分" / "3h 12m": the two largest units of a duration. */
export function useDuration(): (ms: number) => string {
  const { t } = useI18n();
  return (ms) => {
    const s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) return t('inboxDurDays', { d, h });
    if (h > 0) return t('inboxDurHours', { h, m });
    return t('inboxDurMinutes', { m, s: s % 60 });
  };
}

/** Time left until `due` (red once past, orange in the last hour); `overdue` forces red (the clock fired). */
export function Countdown({ due, now, overdue = false, prefix }: { due: string | null; now: number; overdue?: boolean; prefix?: ReactNode }) {
  const { t } = useI18n();
  const duration = useDuration();
  if (!due) return <span style={{ color: '#bbb' }}>—</span>;
  const left = new Date(due).getTime() - now;
  const late = overdue || left < 0;
  const color = late ? '#cf1322' : left < 3600_000 ? '#d46b08' : undefined;
  return (
    <Tooltip title={formatTime(due)}>
      <span data-testid="inbox-deadline" data-due={due} data-overdue={late ? 'true' : 'false'} style={{ color, whiteSpace: 'nowrap', fontWeight: late ? 600 : undefined }}>
        {prefix}
        {left < 0 ? t('inboxOverdueBy', { t: duration(left) }) : late ? t('inboxOverdue') : t('inboxRemaining', { t: duration(left) })}
      </span>
    </Tooltip>
  );
}

const DEPARTMENT_STATE_COLORS: Record<StreetDepartmentState['state'], string> = { to_report_in: 'orange', reported_in: 'blue', replied: 'green', returned: 'default' };

function DepartmentChips({ summonses }: { summonses: StreetDepartmentState[] }) {
  const { t } = useI18n();
  if (summonses.length === 0) return <span style={{ color: '#bbb' }}>—</span>;
  return (
    <Space size={[0, 4]} wrap>
      {summonses.map((s) => (
        <Tooltip key={String(s.departmentId)} title={s.reportInDeadline ? `${t('inboxClock_report_in')} ${formatTime(s.reportInDeadline)}` : undefined}>
          <Tag
            color={s.overdue ? 'red' : DEPARTMENT_STATE_COLORS[s.state]}
            data-testid="street-department-state"
            data-department-id={String(s.departmentId)}
            data-state={s.state}
          >
            {s.departmentName} · {t(`inboxDeptState_${s.state}` as MsgKey)}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

// ---- the page ----

export default function StreetPage() {
  const { t, e } = useI18n();
  const now = useNow();
  const [list, setList] = useTab(STREET_LISTS, 'escalated');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [tick, reload] = usePeriodicTick(30_000);
  const counts = useAsync(() => inboxApi.streetCaseCounts(), [tick]);
  const rows = useAsync(() => inboxApi.streetCases({ list, page, pageSize }), [list, page, pageSize, tick]);

  if (isForbidden(rows.error) || isForbidden(counts.error)) return <Forbidden error={rows.error ?? counts.error} />;

  const columns: TableColumnsType<StreetCaseItem> = [
    { title: t('inboxColor'), dataIndex: 'triageColor', width: 70, render: (c: string) => <TriageColorTag color={c} /> },
    {
      title: t('inboxCaseNumber'),
      dataIndex: 'number',
      render: (n: string, r) => (
        <Link to={`/cases/${r.id}`} onClick={(ev) => ev.stopPropagation()} className="cg-mono">
          {n}
        </Link>
      ),
    },
    { title: t('inboxCaseTitle'), dataIndex: 'title', render: (v: string) => <TruncText text={v} width={200} /> },
    { title: t('inboxCategory'), dataIndex: 'categoryName', render: (v: string | null) => v ?? '—' },
    { title: t('inboxGrid'), dataIndex: 'gridName', render: (v: string | null, r) => [r.streetName, v].filter(Boolean).join(' · ') || '—' },
    {
      title: t('inboxStatus'),
      dataIndex: 'status',
      render: (s: string, r) => (
        <Space size={[0, 4]} wrap>
          <Tag data-testid="street-case-status">{t(`inboxStatus_${s}` as MsgKey)}</Tag>
          {r.overdue && <Tag color="red">{t('inboxOverdue')}</Tag>}
          {r.supervised && <Tag color="purple">{t('inboxSupervised')}</Tag>}
          {r.extensionPending && <Tag color="gold">{t('inboxExtension')}</Tag>}
        </Space>
      ),
    },
    { title: t('inboxHolder'), dataIndex: 'holderLevel', render: (l: string) => e('level', l) },
    {
      title: t('inboxDeadline'),
      key: 'deadline',
      render: (_: unknown, r) =>
        r.nextDeadline ? (
          <Countdown due={r.nextDeadline.dueAt} now={now} prefix={`${t(`inboxClock_${r.nextDeadline.kind}` as MsgKey)} · `} />
        ) : (
          <Countdown due={r.resolveDeadline} now={now} overdue={r.overdue} />
        ),
    },
    { title: t('inboxDepartments'), key: 'departments', render: (_: unknown, r) => <DepartmentChips summonses={r.summonses} /> },
  ];

  return (
    <WorkList
      testId="street"
      title={t('streetTitle')}
      tabs={STREET_LISTS}
      tab={list}
      onTab={setList}
      tabLabel={(key) => t(`streetList_${key}` as MsgKey)}
      counts={counts.data}
      alert={{ tab: 'overdue', color: 'red' }}
      rows={rows}
      columns={columns}
      rowKey={(r) => String(r.id)}
      caseIdOf={(r) => r.id}
      page={page}
      pageSize={pageSize}
      setPage={setPage}
      setPageSize={setPageSize}
      reload={reload}
    />
  );
}
