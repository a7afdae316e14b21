// A summoned department's work list (部门报到): summonses to report in, to reply to, and done.
// 报到 is one click here; the reply itself is written on the case page (/cases/:id).
import { useRef, useState } from 'react';
import { Button, Space, type TableColumnsType } from 'antd';
import { ApiError, inboxApi, isForbidden, newIdempotencyKey, type DepartmentSummonsItem, type SummonsState } from '../api.ts';
import { Forbidden, formatTime, toastError, toastSuccess, TruncText, useAsync } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { Countdown, TriageColorTag, useNow, usePeriodicTick, useTab } from './StreetPage.tsx';
import { WorkList } from '../components/WorkList.tsx';

const STATES: SummonsState[] = ['to_report_in', 'to_reply', 'done'];

export default function DepartmentPage() {
  const { t } = useI18n();
  const now = useNow();
  const [state, setState] = useTab(STATES, 'to_report_in');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [tick, reload] = usePeriodicTick(30_000);
  const [busy, setBusy] = useState<string | null>(null);
  // One key per summons and version: a retried click (lost answer) is answered once by the server, never applied twice.
  const keys = useRef(new Map<string, string>());
  const counts = useAsync(() => inboxApi.departmentSummonsCounts(), [tick]);
  const rows = useAsync(() => inboxApi.departmentSummonses({ state, page, pageSize }), [state, page, pageSize, tick]);

  if (isForbidden(rows.error) || isForbidden(counts.error)) return <Forbidden error={rows.error ?? counts.error} />;

  const reportIn = async (row: DepartmentSummonsItem) => {
    const keyOf = `${row.summonsId}:${row.caseVersion}`;
    const key = keys.current.get(keyOf) ?? newIdempotencyKey();
    keys.current.set(keyOf, key);
    setBusy(String(row.summonsId));
    try {
      await inboxApi.reportIn(row.caseId, row.departmentId, row.caseVersion, key);
      toastSuccess(t('inboxReportedInOk'));
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'version_conflict' || err.code === 'invalid_transition')) toastError(new Error(t('inboxChanged')));
      else toastError(err);
    } finally {
      setBusy(null);
      reload();
    }
  };

  const columns: TableColumnsType<DepartmentSummonsItem> = [
    { title: t('inboxColor'), dataIndex: 'triageColor', width: 70, render: (c: string) => <TriageColorTag color={c} /> },
    {
      title: t('inboxCaseNumber'),
      dataIndex: 'caseNumber',
      render: (n: string, r) => (
        <Link to={`/cases/${r.caseId}`} onClick={(ev) => ev.stopPropagation()} className="cg-mono">
          {n}
        </Link>
      ),
    },
    { title: t('inboxCaseTitle'), dataIndex: 'title', render: (v: string) => <TruncText text={v} width={200} /> },
    { title: t('inboxCategory'), dataIndex: 'categoryName', render: (v: string | null) => v ?? '—' },
    { title: t('inboxStreet'), dataIndex: 'streetName', render: (v: string | null) => v ?? '—' },
    { title: t('inboxSummonedAt'), dataIndex: 'summonedAt', render: (v: string) => formatTime(v) },
    state === 'done'
      ? { title: t('inboxStatus'), key: 'status', render: (_: unknown, r) => t(`inboxStatus_${r.caseStatus}` as MsgKey) }
      : { title: t('inboxDeadline'), key: 'deadline', render: (_: unknown, r) => <Countdown due={r.deadline} now={now} overdue={r.overdue} /> },
    {
      title: t('actions'),
      key: 'actions',
      render: (_: unknown, r) => (
        <Space onClick={(ev) => ev.stopPropagation()}>
          {r.state === 'to_report_in' && (
            <Button type="primary" size="small" loading={busy === String(r.summonsId)} onClick={() => void reportIn(r)} data-testid="department-report-in">
              {t('inboxReportIn')}
            </Button>
          )}
          {r.state === 'to_reply' && (
            <Button type="primary" size="small" onClick={() => navigate(`/cases/${r.caseId}`)} data-testid="department-reply">
              {t('inboxReply')}
            </Button>
          )}
          {r.state === 'done' && (
            <Button size="small" onClick={() => navigate(`/cases/${r.caseId}`)}>
              {t('inboxView')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <WorkList
      testId="department"
      title={t('departmentTitle')}
      tabs={STATES}
      tab={state}
      onTab={setState}
      tabLabel={(key) => t(`summonsState_${key}` as MsgKey)}
      counts={counts.data}
      alert={{ tab: 'to_report_in', color: '#fa541c' }}
      rows={rows}
      columns={columns}
      rowKey={(r) => String(r.summonsId)}
      caseIdOf={(r) => r.caseId}
      rowData={(r) => ({ 'data-state': r.state })}
      page={page}
      pageSize={pageSize}
      setPage={setPage}
      setPageSize={setPageSize}
      reload={reload}
    />
  );
}
