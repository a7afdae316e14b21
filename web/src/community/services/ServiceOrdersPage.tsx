import { useState } from 'react';
import { Button, Card, DatePicker, Empty, Input, Rate, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { isForbidden } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, useAsync } from '../../common.tsx';
import { useServiceWords } from './messages.ts';
import { OrderDrawer } from './OrderDrawer.tsx';
import { ORDER_STATUSES, serviceApi, statusColor, type OrderItem } from './serviceApi.ts';

/** 群众点单、社区派单: the community's orders with search, filters, pages and the Excel ledger; a drawer per order. */
export default function ServiceOrdersPage() {
  const s = useServiceWords();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [categoryId, setCategoryId] = useState<number | undefined>();
  const [regionId, setRegionId] = useState<string | undefined>();
  const [period, setPeriod] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const filters = {
    q: q || undefined,
    status,
    categoryId,
    regionId,
    from: period?.[0]?.format('YYYY-MM-DD'),
    to: period?.[1]?.format('YYYY-MM-DD'),
  };
  const list = useAsync(() => serviceApi.orders({ ...filters, page, pageSize }), [page, pageSize, JSON.stringify(filters)]);
  const categories = useAsync(() => serviceApi.categories(), []);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  const columns: TableColumnsType<OrderItem> = [
    { title: s('number'), dataIndex: 'number', width: 160, render: (v: string, r) => <a onClick={() => setOpenId(r.id)} data-testid="service-order-open">{v}</a> },
    { title: s('offering'), render: (_, r) => `${r.categoryName} · ${r.offeringName}` },
    { title: s('resident'), dataIndex: 'residentName', width: 90 },
    { title: s('phone'), dataIndex: 'residentPhone', width: 130 },
    { title: s('status'), dataIndex: 'status', width: 120, render: (v: string) => <Tag color={statusColor[v]} data-status={v}>{s(`status.${v}`)}</Tag> },
    { title: s('assignee'), width: 110, render: (_, r) => r.assignee?.name ?? '—' },
    { title: s('rating'), dataIndex: 'rating', width: 150, render: (v: number | null) => (v === null ? '—' : <Rate disabled value={v} style={{ fontSize: 14 }} />) },
    { title: s('createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatTime(v) },
  ];

  return (
    <Card title={s('ordersTitle')} data-testid="service-orders-page">
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={s('search')} style={{ width: 240 }} onSearch={(v) => { setQ(v.trim()); setPage(1); }} data-testid="service-orders-search" />
        <Select allowClear placeholder={s('allStatuses')} style={{ width: 150 }} value={status} onChange={(v) => { setStatus(v); setPage(1); }}
          options={ORDER_STATUSES.map((v) => ({ value: v, label: s(`status.${v}`) }))} data-testid="service-orders-status" />
        <Select allowClear showSearch optionFilterProp="label" placeholder={s('allCategories')} style={{ width: 150 }} value={categoryId} onChange={(v) => { setCategoryId(v); setPage(1); }}
          options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        <RegionTreeSelect value={regionId} onChange={(v) => { setRegionId(v); setPage(1); }} placeholder={s('region')} style={{ width: 200 }} maxLevel="grid" />
        <DatePicker.RangePicker value={period} onChange={(v) => { setPeriod(v as [Dayjs | null, Dayjs | null] | null); setPage(1); }} />
        <Button icon={<FileExcelOutlined />} href={serviceApi.ordersExportUrl(filters)} data-testid="service-orders-export">{s('export')}</Button>
      </Space>
      <Table<OrderItem>
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={s('empty')} /> }}
        onRow={(r) => ({ 'data-testid': `service-order-row-${r.number}` } as never)}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => <Typography.Text type="secondary">{s('total', { n })}</Typography.Text>,
          onChange: (p, size) => { setPage(p); setPageSize(size); },
        }}
      />
      <OrderDrawer orderId={openId} onClose={() => setOpenId(null)} onChanged={list.reload} />
    </Card>
  );
}
