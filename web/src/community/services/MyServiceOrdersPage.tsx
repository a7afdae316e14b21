import { useState } from 'react';
import { Card, Empty, List, Select, Space, Tag, Typography } from 'antd';
import { isForbidden } from '../../api.ts';
import { Forbidden, formatTime, useAsync } from '../../common.tsx';
import { useServiceWords } from './messages.ts';
import { OrderDrawer } from './OrderDrawer.tsx';
import { ORDER_STATUSES, serviceApi, statusColor } from './serviceApi.ts';

/** 党员接单: the orders dispatched to me; the drawer's buttons are the server's allowedActions (accept, decline, complete). */
export default function MyServiceOrdersPage() {
  const s = useServiceWords();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | undefined>();
  const [openId, setOpenId] = useState<number | null>(null);
  const list = useAsync(() => serviceApi.myOrders({ status, page, pageSize: 20 }), [status, page]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  return (
    <Card title={s('myOrdersTitle')} data-testid="my-service-orders-page"
      extra={<Select allowClear placeholder={s('allStatuses')} style={{ width: 150 }} value={status} onChange={(v) => { setStatus(v); setPage(1); }}
        options={ORDER_STATUSES.map((v) => ({ value: v, label: s(`status.${v}`) }))} />}>
      <List
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={s('emptyMine')} /> }}
        pagination={list.data && list.data.total > 20 ? { current: page, pageSize: 20, total: list.data.total, onChange: setPage } : false}
        renderItem={(o) => (
          <List.Item
            data-testid={`my-service-order-${o.number}`}
            actions={[<a key="open" onClick={() => setOpenId(o.id)} data-testid="my-service-order-open">{s('detail')}</a>]}
          >
            <List.Item.Meta
              title={
                <Space>
                  <span>{o.number}</span>
                  <Tag color={statusColor[o.status]} data-status={o.status}>{s(`status.${o.status}`)}</Tag>
                </Space>
              }
              description={
                <Typography.Text type="secondary">
                  {`${o.categoryName} · ${o.offeringName} · ${o.residentName} ${o.residentPhone} · ${o.address ?? ''} · ${o.preferredTime ?? ''} · ${formatTime(o.createdAt)}`}
                </Typography.Text>
              }
            />
          </List.Item>
        )}
      />
      <OrderDrawer orderId={openId} onClose={() => setOpenId(null)} onChanged={list.reload} />
    </Card>
  );
}
