// The tabbed, paged work list the street and department pages share: a title with a refresh button,
// tabs with count badges, and a table whose rows open the case page.
import { Badge, Button, Table, Tabs, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';

interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function WorkList<Tab extends string, Row extends object>(props: {
  /** data-testid prefix: `<prefix>-page`, `<prefix>-refresh`, `<prefix>-tab-<tab>`, `<prefix>-row`. */
  testId: string;
  title: string;
  tabs: readonly Tab[];
  tab: Tab;
  onTab: (tab: Tab) => void;
  tabLabel: (tab: Tab) => string;
  counts: Record<Tab, number> | undefined;
  /** The tab whose non-zero count is a warning, and its badge colour. */
  alert: { tab: Tab; color: string };
  rows: { loading: boolean; data?: Page<Row> };
  columns: TableColumnsType<Row>;
  rowKey: (row: Row) => string;
  caseIdOf: (row: Row) => number | string;
  /** Extra data attributes of a row (tests read them). */
  rowData?: (row: Row) => Record<string, string>;
  page: number;
  pageSize: number;
  setPage: (page: number) => void;
  setPageSize: (pageSize: number) => void;
  reload: () => void;
}) {
  const { t } = useI18n();
  const { testId, counts, rows, pageSize } = props;
  return (
    <div className="cg-page" data-testid={`${testId}-page`}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h2 className="cg-page-title">{props.title}</h2>
        <Button icon={<ReloadOutlined />} onClick={props.reload} data-testid={`${testId}-refresh`}>
          {t('refresh')}
        </Button>
      </div>
      <Tabs
        activeKey={props.tab}
        onChange={(key) => {
          props.onTab(key as Tab);
          props.setPage(1);
        }}
        items={props.tabs.map((key) => ({
          key,
          label: (
            <span data-testid={`${testId}-tab-${key}`} data-count={counts ? String(counts[key]) : undefined}>
              {props.tabLabel(key)}{' '}
              <Badge count={counts?.[key] ?? 0} showZero overflowCount={999} color={key === props.alert.tab && (counts?.[key] ?? 0) > 0 ? props.alert.color : '#8c8c8c'} />
            </span>
          ),
        }))}
      />
      <Table<Row>
        rowKey={props.rowKey}
        size="middle"
        loading={rows.loading}
        columns={props.columns}
        dataSource={rows.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(r) =>
          ({
            'data-testid': `${testId}-row`,
            'data-case-id': String(props.caseIdOf(r)),
            ...props.rowData?.(r),
            onClick: () => navigate(`/cases/${props.caseIdOf(r)}`),
            className: 'cg-clickable-row',
          }) as React.HTMLAttributes<HTMLElement>
        }
        pagination={{
          current: rows.data?.page ?? props.page,
          pageSize: rows.data?.pageSize ?? pageSize,
          total: rows.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (n) => t('total', { n }),
          onChange: (p, ps) => {
            props.setPage(ps !== pageSize ? 1 : p);
            props.setPageSize(ps);
          },
        }}
      />
    </div>
  );
}
