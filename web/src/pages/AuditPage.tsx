import { useState } from 'react';
import { Alert, Button, DatePicker, Input, Table, Tag } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { api, isForbidden, type AuditItem, type AuditVerify } from '../api.ts';
import { Forbidden, formatTime, toastError, TruncText, useAsync } from '../common.tsx';
import { useI18n } from '../i18n.ts';

export default function AuditPage() {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [action, setAction] = useState('');
  const [actorUserId, setActorUserId] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [applied, setApplied] = useState<{ action?: string; actorUserId?: string; from?: string; to?: string }>({});
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const list = useAsync(() => api.audit({ page, pageSize, ...applied }), [page, pageSize, JSON.stringify(applied)]);

  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  const apply = () => {
    setApplied({
      action: action.trim() || undefined,
      actorUserId: actorUserId.trim() || undefined,
      from: range?.[0]?.toISOString() || undefined,
      to: range?.[1]?.toISOString() || undefined,
    });
    setPage(1);
  };

  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await api.auditVerify());
    } catch (err) {
      toastError(err);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div className="cg-page" data-testid="audit-page">
      <h2 className="cg-page-title">{t('auditTitle')}</h2>
      <div className="cg-toolbar">
        <Input allowClear style={{ width: 200 }} placeholder={t('auditAction')} value={action} onChange={(ev) => setAction(ev.target.value)} onPressEnter={apply} data-testid="audit-action" />
        <Input allowClear style={{ width: 140 }} placeholder={t('auditActorId')} value={actorUserId} onChange={(ev) => setActorUserId(ev.target.value)} onPressEnter={apply} data-testid="audit-actor" />
        <DatePicker.RangePicker showTime value={range} onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)} />
        <Button type="primary" onClick={apply}>
          {t('search')}
        </Button>
        <Button
          onClick={() => {
            setAction('');
            setActorUserId('');
            setRange(null);
            setApplied({});
            setPage(1);
          }}
        >
          {t('reset')}
        </Button>
        <div style={{ flex: 1 }} />
        <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void runVerify()} data-testid="audit-verify">
          {t('verifyChain')}
        </Button>
      </div>
      {verify && (
        <Alert
          style={{ marginBottom: 12 }}
          showIcon
          closable={{ onClose: () => setVerify(null) }}
          type={verify.ok ? 'success' : 'error'}
          data-testid="audit-verify-result"
          title={verify.ok ? t('verifyOk', { n: verify.checked }) : t('verifyBroken', { n: verify.checked, id: String(verify.firstBrokenId ?? '?') })}
        />
      )}
      <Table<AuditItem>
        rowKey={(r) => String(r.id)}
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={() => ({ 'data-testid': 'audit-row' }) as React.HTMLAttributes<HTMLElement>}
        pagination={{
          current: list.data?.page ?? page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('total', { n }),
          onChange: (p, ps) => {
            setPage(ps !== pageSize ? 1 : p);
            setPageSize(ps);
          },
        }}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 70 },
          { title: t('auditTime'), dataIndex: 'at', render: (v: string) => formatTime(v), width: 170 },
          {
            title: t('auditActor'),
            key: 'actor',
            render: (_, r) => (r.actorName ? `${r.actorName}${r.actorUserId != null ? ` (#${r.actorUserId})` : ''}` : r.actorUserId != null ? `#${r.actorUserId}` : '—'),
          },
          { title: t('auditAction'), dataIndex: 'action', render: (v: string) => <code>{v}</code> },
          {
            title: t('auditResource'),
            key: 'res',
            render: (_, r) => (r.resourceType ? `${r.resourceType}${r.resourceId != null ? ` #${r.resourceId}` : ''}` : '—'),
          },
          {
            title: t('auditOutcome'),
            dataIndex: 'outcome',
            render: (v: string) => <Tag color={v === 'success' ? 'green' : 'red'}>{t(v === 'success' ? 'outcome_success' : 'outcome_failure')}</Tag>,
          },
          { title: t('auditIp'), dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
          {
            title: t('auditDetails'),
            dataIndex: 'details',
            render: (v: unknown) => {
              if (v == null || (typeof v === 'object' && Object.keys(v as object).length === 0)) return '—';
              const s = typeof v === 'string' ? v : JSON.stringify(v);
              return <TruncText text={s} />;
            },
          },
        ]}
      />
    </div>
  );
}
