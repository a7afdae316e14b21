// A summoned department's work list (部门报到): summonses to report in, to reply to, and done.
// 报到 is one click here; the reply itself is written on the case page (/cases/:id).
import { useRef, useState } from 'react';
import { Badge, Button, Space, Table, Tabs, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { ApiError, inboxApi, isForbidden, newIdempotencyKey, type DepartmentSummonsItem, type SummonsState } from '../api.ts';
import { Forbidden, formatTime, toastError, toastSuccess, TruncText, useAsync } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { Countdown, TriageColorTag, useNow, usePeriodicTick, useTab } from './StreetPage.tsx';

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
    <div className="cg-page" data-testid="department-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h2 className="cg-page-title">{t('departmentTitle')}</h2>
        <Button icon={<ReloadOutlined />} onClick={reload} data-testid="department-refresh">
          {t('refresh')}
        </Button>
      </div>
      <Tabs
        activeKey={state}
        onChange={(key) => {
          setState(key as SummonsState);
          setPage(1);
        }}
        items={STATES.map((key) => ({
          key,
          label: (
            <span data-testid={`department-tab-${key}`} data-count={counts.data ? String(counts.data[key]) : undefined}>
              {t(`summonsState_${key}` as MsgKey)}{' '}
              <Badge count={counts.data?.[key] ?? 0} showZero overflowCount={999} color={key === 'to_report_in' && (counts.data?.[key] ?? 0) > 0 ? '#fa541c' : '#8c8c8c'} />
            </span>
          ),
        }))}
      />
      <Table<DepartmentSummonsItem>
        rowKey={(r) => String(r.summonsId)}
        size="middle"
        loading={rows.loading}
        columns={columns}
        dataSource={rows.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(r) =>
          ({
            'data-testid': 'department-row',
            'data-case-id': String(r.caseId),
            'data-state': r.state,
            onClick: () => navigate(`/cases/${r.caseId}`),
            className: 'cg-clickable-row',
          }) as React.HTMLAttributes<HTMLElement>
        }
        pagination={{
          current: rows.data?.page ?? page,
          pageSize: rows.data?.pageSize ?? pageSize,
          total: rows.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (n) => t('total', { n }),
          onChange: (p, ps) => {
            setPage(ps !== pageSize ? 1 : p);
            setPageSize(ps);
          },
        }}
      />
    </div>
  );
}
