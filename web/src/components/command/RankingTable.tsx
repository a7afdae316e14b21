// The nodes of one level (or the departments) with their figures, sorted by the server by the composite
// score, a rate or a count; a row opens that node in the command centre.
import { Table, Tooltip, type TableColumnsType, type TableProps } from 'antd';
import type { RankingItem, RankingSort, RateName } from './metricsApi.ts';
import { rateColour } from './KpiCards.tsx';
import { percent, useCommandI18n } from './messages.ts';

const SORTABLE: RankingSort[] = ['composite', 'response', 'resolution', 'satisfaction', 'received', 'backlog', 'overdue_open'];

export function RankingTable({
  items,
  loading,
  sort,
  onSort,
  onDrill,
  testId,
  dark = false,
  compact = false,
  maxHeight,
}: {
  items: RankingItem[];
  loading: boolean;
  sort: RankingSort;
  onSort: (sort: RankingSort) => void;
  onDrill: (ref: string) => void;
  testId: string;
  dark?: boolean;
  compact?: boolean;
  maxHeight?: number;
}) {
  const { t } = useCommandI18n();
  const sortable = (key: RankingSort) => ({
    key,
    sorter: true,
    sortOrder: sort === key ? ('descend' as const) : null,
    sortDirections: ['descend' as const],
    showSorterTooltip: false,
  });
  const rateCell = (name: RateName) => (_: unknown, r: RankingItem) => {
    const rate = r.rates[name];
    return (
      <Tooltip title={`${rate.numerator} / ${rate.denominator}`}>
        <span style={{ color: rateColour(rate.value, dark), fontVariantNumeric: 'tabular-nums' }}>{percent(rate.value)}</span>
      </Tooltip>
    );
  };
  const columns: TableColumnsType<RankingItem> = [
    { title: t('rank'), dataIndex: 'rank', width: compact ? 36 : 44, align: 'right' },
    { title: t('name'), key: 'name', ellipsis: true, render: (_, r) => r.node.name },
    ...(compact
      ? []
      : [
          { title: t('colReceived'), align: 'right' as const, width: 96, render: (_: unknown, r: RankingItem) => r.counters.received, ...sortable('received') },
        ]),
    { title: t('colBacklog'), align: 'right', width: compact ? 72 : 90, render: (_, r) => r.counters.backlog, ...sortable('backlog') },
    ...(compact
      ? []
      : [{ title: t('colOverdueOpen'), align: 'right' as const, width: 112, render: (_: unknown, r: RankingItem) => r.counters.overdue_open, ...sortable('overdue_open') }]),
    { title: compact ? t('responseShort') : t('colResponse'), align: 'right', width: compact ? 74 : 104, render: rateCell('response'), ...sortable('response') },
    { title: compact ? t('resolutionShort') : t('colResolution'), align: 'right', width: compact ? 74 : 104, render: rateCell('resolution'), ...sortable('resolution') },
    { title: compact ? t('satisfactionShort') : t('colSatisfaction'), align: 'right', width: compact ? 74 : 104, render: rateCell('satisfaction'), ...sortable('satisfaction') },
    {
      title: compact ? t('compositeShort') : t('colComposite'),
      align: 'right',
      width: compact ? 74 : 104,
      render: (_, r) => (
        <b style={{ color: rateColour(r.rates.composite === null ? null : r.rates.composite / 100, dark) }}>{r.rates.composite === null ? '—' : r.rates.composite.toFixed(1)}</b>
      ),
      ...sortable('composite'),
    },
  ];
  const onChange: TableProps<RankingItem>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const key = s?.order ? (s.columnKey as RankingSort) : 'composite';
    if (SORTABLE.includes(key)) onSort(key);
  };
  return (
    <Table<RankingItem>
      data-testid={testId}
      className="cmd-rank"
      rowKey={(r) => r.node.ref}
      size="small"
      loading={loading}
      columns={columns}
      dataSource={items}
      pagination={false}
      onChange={onChange}
      scroll={maxHeight ? { y: maxHeight } : undefined}
      onRow={(r) =>
        ({
          'data-testid': `${testId}-row`,
          'data-ref': r.node.ref,
          className: 'cg-clickable-row',
          onClick: () => onDrill(r.node.ref),
        }) as React.HTMLAttributes<HTMLElement>
      }
    />
  );
}
