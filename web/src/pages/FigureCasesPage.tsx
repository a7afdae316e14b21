// The cases behind a figure (/command/cases?node&from&to&measure&categoryId): exactly the cases the
// command centre counted, a page at a time, each opening its case page, and the same list as a spreadsheet.
// A figure made of several measures (满意率's numerator: 满意 + 基本满意) shows one tab per measure.
import { useEffect, useMemo, useState } from 'react';
import { Button, Descriptions, Result, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { ArrowLeftOutlined, FileExcelOutlined } from '@ant-design/icons';
import { isForbidden } from '../api.ts';
import { Forbidden, formatTime, TruncText, useAsync } from '../common.tsx';
import type { MsgKey } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { TriageColorTag } from './StreetPage.tsx';
import '../components/command/command.css';
import { metricsApi, type FigureCase, type RateName } from '../components/command/metricsApi.ts';
import { useCommandI18n } from '../components/command/messages.ts';
import { periodLabel } from '../components/command/period.ts';
import { figureUrl, scopeUrl, useScope } from '../components/command/scope.ts';

const MEASURE = /^[a-z0-9_]{1,40}$/;

/** Which rate a list belongs to, so the header can say "the numerator of the response rate". */
const PART_OF: Record<string, Array<[RateName, 'numerator' | 'denominator']>> = {
  contacted_in_time: [['response', 'numerator']],
  dispatched: [['response', 'denominator']],
  rated_resolved: [['resolution', 'numerator']],
  rated: [
    ['resolution', 'denominator'],
    ['satisfaction', 'denominator'],
  ],
  'satisfied,basically_satisfied': [['satisfaction', 'numerator']],
};

export default function FigureCasesPage() {
  const { t, g, measure: measureLabel } = useCommandI18n();
  const scope = useScope();
  const measures = useMemo(() => [...new Set((scope.params.get('measure') ?? '').split(',').filter((m) => MEASURE.test(m)))].slice(0, 4), [scope.params]);
  const categoryText = scope.params.get('categoryId');
  const categoryId = categoryText && /^[0-9]{1,18}$/.test(categoryText) ? Number(categoryText) : undefined;
  const [chosen, setActive] = useState(measures[0] ?? '');
  const active = measures.includes(chosen) ? chosen : (measures[0] ?? '');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  useEffect(() => {
    setActive(measures[0] ?? '');
    setPage(1);
  }, [measures]);

  const query = { node: scope.node, from: scope.from, to: scope.to, categoryId };
  // Every measure's total (the header adds them up); the active one's page below.
  const totals = useAsync(
    () => Promise.all(measures.map((m) => metricsApi.cases({ ...query, measure: m, pageSize: 1 }))),
    [scope.node, scope.from, scope.to, categoryId, measures.join(',')],
    { skip: measures.length === 0 },
  );
  const settings = useAsync(() => metricsApi.settings(), []);
  const list = useAsync(() => metricsApi.cases({ ...query, measure: active, page, pageSize }), [scope.node, scope.from, scope.to, categoryId, active, page, pageSize], {
    skip: !active,
  });

  if (measures.length === 0) return <Result status="warning" title="measure?" />;
  if (isForbidden(list.error) || isForbidden(totals.error)) return <Forbidden error={list.error ?? totals.error} />;

  const nodeInfo = list.data?.node ?? totals.data?.[0]?.node;
  // While another figure loads, the previous one's rows are not shown under the new header.
  const current = list.data && list.data.measure === active ? list.data : undefined;
  const total = totals.data ? totals.data.reduce((sum, r) => sum + r.total, 0) : undefined;
  const figure = measures.map(measureLabel).join(' + ');
  const parts = PART_OF[measures.join(',')] ?? [];
  /** The other side of each rate this list is part of: the denominator of a numerator, and back. */
  const satisfied = settings.data?.settings.satisfactionIncludesBasic === false ? ['satisfied'] : ['satisfied', 'basically_satisfied'];
  const sides: Record<RateName, { numerator: string[]; denominator: string[] }> = {
    response: { numerator: ['contacted_in_time'], denominator: ['dispatched'] },
    resolution: { numerator: ['rated_resolved'], denominator: ['rated'] },
    satisfaction: { numerator: satisfied, denominator: ['rated'] },
  };
  const counterpartScope = { node: nodeInfo?.ref ?? scope.node, from: scope.from, to: scope.to };
  const categoryName = categoryId === undefined ? null : categoryId === 0 ? '—' : (current?.items[0]?.category ?? `#${categoryId}`);
  const xlsx = metricsApi.casesXlsxUrl({ ...query, node: nodeInfo?.ref ?? scope.node, measure: active });

  const columns: TableColumnsType<FigureCase> = [
    { title: t('colour'), dataIndex: 'triageColor', width: 64, render: (c: string) => <TriageColorTag color={c} /> },
    {
      title: t('caseNumber'),
      dataIndex: 'number',
      width: 180,
      render: (n: string, r) => (
        <Link to={`/cases/${r.id}`} onClick={(e) => e.stopPropagation()} className="cg-mono" style={{ whiteSpace: 'nowrap' }} data-testid="figure-case-link">
          {n}
        </Link>
      ),
    },
    { title: t('caseTitle'), dataIndex: 'title', render: (v: string) => <TruncText text={v} width={260} /> },
    { title: t('category'), dataIndex: 'category', width: 100, render: (v: string | null) => v ?? '—' },
    { title: t('grid'), dataIndex: 'grid', width: 110, render: (v: string | null) => v ?? '—' },
    {
      title: t('status'),
      dataIndex: 'status',
      width: 110,
      render: (s: string, r) => (
        <Space size={[0, 4]} wrap>
          <Tag>{g(`inboxStatus_${s}` as MsgKey)}</Tag>
          {r.overdue && <Tag color="red">{g('caseOverdue')}</Tag>}
        </Space>
      ),
    },
    { title: t('channel'), dataIndex: 'channel', width: 96, render: (c: string) => g(`caseChannel_${c}` as MsgKey) },
    { title: t('createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatTime(v)}</span> },
    { title: t('contactedAt'), dataIndex: 'contactedAt', width: 170, render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{formatTime(v)}</span> },
    {
      title: t('rating'),
      key: 'rating',
      width: 150,
      render: (_, r) =>
        r.ratingSatisfaction ? (
          <span>
            {g(`caseSatisfaction_${r.ratingSatisfaction}` as MsgKey)}
            {r.ratingResolved !== null && ` · ${g(r.ratingResolved ? 'caseResolved' : 'caseUnresolved')}`}
          </span>
        ) : (
          '—'
        ),
    },
  ];

  const table = (
    <Table<FigureCase>
      rowKey="id"
      size="middle"
      loading={list.loading}
      columns={columns}
      dataSource={current?.items ?? []}
      scroll={{ x: 1300 }}
      onRow={(r) =>
        ({
          'data-testid': 'figure-row',
          'data-case-id': String(r.id),
          'data-number': r.number,
          className: 'cg-clickable-row',
          onClick: () => navigate(`/cases/${r.id}`),
        }) as React.HTMLAttributes<HTMLElement>
      }
      pagination={{
        current: page,
        pageSize,
        total: current?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions: [10, 20, 50, 100, 200],
        showTotal: (n) => t('figureCount', { n }),
        onChange: (p, ps) => {
          setPage(ps !== pageSize ? 1 : p);
          setPageSize(ps);
        },
      }}
    />
  );

  return (
    <div className="cg-page" data-testid="figure-page" data-measure={measures.join(',')} data-shown={current && !list.loading ? `${active}:${current.page}` : ''}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 12, flexWrap: 'wrap' }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="figure-title">
            {t('figureTitle', { figure })}
            <span style={{ marginLeft: 12, fontWeight: 'normal', fontSize: 16 }} data-testid="figure-total" data-total={total === undefined ? '' : String(total)}>
              {total === undefined ? '' : t('figureCount', { n: total })}
            </span>
          </Typography.Title>
          {parts.length > 0 && (
            <div style={{ color: '#888', marginTop: 2 }} data-testid="figure-part">
              {parts.map(([rate, part]) => {
                const other = part === 'numerator' ? 'denominator' : 'numerator';
                return (
                  <span key={rate} style={{ marginRight: 16 }}>
                    {t('figureOf', { rate: t(rate), part: t(part) })} ·{' '}
                    <Link to={figureUrl(counterpartScope, sides[rate][other], categoryId)} data-testid={`figure-counterpart-${rate}`}>
                      {t('counterpart', { part: t(other), figure: sides[rate][other].map(measureLabel).join(' + ') })}
                    </Link>
                  </span>
                );
              })}
            </div>
          )}
        </div>
        <Space>
          <Button
            icon={<ArrowLeftOutlined />}
            onClick={() => navigate(scopeUrl('/command', { node: nodeInfo?.ref ?? scope.node, from: scope.from, to: scope.to !== scope.from ? scope.to : undefined }))}
            data-testid="figure-back"
          >
            {t('backToCentre')}
          </Button>
          <Button type="primary" icon={<FileExcelOutlined />} href={xlsx} download data-testid="figure-export">
            {t('exportExcel')}
          </Button>
        </Space>
      </div>
      <Descriptions size="small" column={{ xs: 1, sm: 3 }} style={{ margin: '12px 0' }}>
        <Descriptions.Item label={t('figureNode')}>
          <span data-testid="figure-node" data-ref={nodeInfo?.ref ?? ''}>
            {nodeInfo?.name ?? '…'}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('figurePeriod')}>{periodLabel(scope.from, scope.to)}</Descriptions.Item>
        {categoryName !== null && <Descriptions.Item label={t('figureCategory')}>{categoryName}</Descriptions.Item>}
      </Descriptions>
      {measures.length > 1 ? (
        <Tabs
          activeKey={active}
          onChange={(k) => {
            setActive(k);
            setPage(1);
          }}
          items={measures.map((m, i) => ({
            key: m,
            label: (
              <span data-testid={`figure-tab-${m}`} data-total={totals.data ? String(totals.data[i].total) : ''}>
                {measureLabel(m)} {totals.data ? totals.data[i].total : ''}
              </span>
            ),
            children: m === active ? table : null,
          }))}
        />
      ) : (
        table
      )}
    </div>
  );
}
