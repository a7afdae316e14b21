import { useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, Drawer, Empty, Form, Input, InputNumber, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useNoticeWords } from './messages.ts';
import { placesOf, statusColor } from './shared.ts';

interface Notice { id: number; kind: string; regionName: string; partyOrganizationName: string | null; title: string; body: string; status: string; publishedAt: string | null; readCount: number; allowedActions: string[] }
interface NoticeDetail extends Notice {
  acknowledgement: { canAcknowledge: boolean; readAt: string | null } | null;
  receipts: { total: number; read: number; members: Array<{ partyMemberId: number; name: string; organizationName: string; readAt: string | null }> } | null;
  timeline: Array<{ id: number; action: string; actorLabel: string; at: string }>;
}
const kinds = ['organization_life', 'policy', 'party_affairs', 'residents_affairs'];

/** 公告与公开: organisation-life notices with receipts, policies and the two disclosures. */
export default function NoticesPage() {
  const w = useNoticeWords();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const filters = { q: q || undefined, kind, status };
  const list = useAsync(() => apiRequest<Paged<Notice>>('GET', '/notices', { query: { ...filters, page, pageSize: 20 } }), [q, kind, status, page]);
  const detail = useAsync(() => apiRequest<NoticeDetail>('GET', `/notices/${open}`), [open], { skip: open === null });
  const publish = Boolean(me?.abilities.publishNotices);
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      message.success(w('done'));
      detail.reload();
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  const notice = detail.data;
  return (
    <Card title={w('menuNotices')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 220 }} />
          <Select allowClear placeholder={w('kind')} value={kind} onChange={(v) => { setKind(v); setPage(1); }} style={{ width: 160 }} options={kinds.map((k) => ({ value: k, label: w(k) }))} />
          <Select allowClear placeholder={w('status')} value={status} onChange={(v) => { setStatus(v); setPage(1); }} style={{ width: 120 }} options={['draft', 'published', 'withdrawn'].map((s) => ({ value: s, label: w(s) }))} />
          <Button icon={<FileExcelOutlined />} onClick={() => window.open(`/api/v1/notices/export.xlsx${qs(filters as never)}`, '_blank')}>{w('export')}</Button>
          {publish && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="notices-create">{w('create')}</Button>}
        </Space>
        <Table<Notice>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: <Empty description={w('empty')} /> }}
          onRow={(row) => ({ onClick: () => setOpen(row.id), style: { cursor: 'pointer' } })}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: w('title'), dataIndex: 'title' },
            { title: w('kind'), dataIndex: 'kind', width: 140, render: (k: string) => w(k) },
            { title: w('region'), width: 160, render: (_: unknown, n: Notice) => n.partyOrganizationName ?? n.regionName },
            { title: w('status'), dataIndex: 'status', width: 100, render: (s: string) => <Tag color={statusColor[s]}>{w(s)}</Tag> },
            { title: w('publishedAt'), dataIndex: 'publishedAt', width: 170, render: formatTime },
          ]}
        />
      </Space>
      <Drawer open={open !== null} onClose={() => setOpen(null)} width={560} title={notice?.title} destroyOnHidden>
        {notice && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Space><Tag>{w(notice.kind)}</Tag><Tag color={statusColor[notice.status]}>{w(notice.status)}</Tag><span>{notice.partyOrganizationName ?? notice.regionName}</span></Space>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{notice.body}</Typography.Paragraph>
            <Space>
              {notice.allowedActions.map((a) => <Button key={a} danger={a === 'withdraw'} type={a === 'publish' ? 'primary' : 'default'} onClick={() => run(() => apiRequest('POST', `/notices/${notice.id}/actions`, { body: { action: a } }))}>{w(a)}</Button>)}
              {notice.acknowledgement && (notice.acknowledgement.readAt
                ? <Tag color="green">{w('acknowledged')} {formatTime(notice.acknowledgement.readAt)}</Tag>
                : <Button type="primary" data-testid="notice-acknowledge" onClick={() => run(() => apiRequest('POST', `/notices/${notice.id}/acknowledge`))}>{w('acknowledge')}</Button>)}
            </Space>
            {notice.receipts && (
              <Card size="small" title={`${w('receipts')} ${notice.receipts.read}/${notice.receipts.total}`}>
                <Table size="small" rowKey="partyMemberId" pagination={{ pageSize: 10 }} dataSource={notice.receipts.members}
                  columns={[{ title: w('title'), dataIndex: 'name' }, { title: w('region'), dataIndex: 'organizationName' }, { title: w('status'), dataIndex: 'readAt', render: (v: string | null) => (v ? <Tag color="green">{w('read')} {formatTime(v)}</Tag> : <Tag>{w('unread')}</Tag>) }]} />
              </Card>
            )}
            {notice.timeline.length > 0 && <Card size="small" title={w('timeline')}><Timeline items={notice.timeline.map((e) => ({ children: `${formatTime(e.at)} ${e.actorLabel} ${w(e.action)}` }))} /></Card>}
          </Space>
        )}
      </Drawer>
      {creating && <CreateNotice onClose={() => setCreating(false)} onCreated={() => { setCreating(false); list.reload(); }} />}
    </Card>
  );
}

function CreateNotice({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const w = useNoticeWords();
  const { me } = useAuth();
  const [form] = Form.useForm();
  const kind = Form.useWatch('kind', form);
  const places = placesOf(me, ['city', 'district', 'street', 'community']);
  const submit = async (values: Record<string, unknown>) => {
    try {
      await apiRequest('POST', '/notices', { body: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '')) });
      onCreated();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <Drawer open onClose={onClose} width={480} title={w('create')}>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'residents_affairs', regionId: places[0]?.value, publish: false }}>
        <Form.Item name="kind" label={w('kind')} rules={[{ required: true }]}><Select options={kinds.map((k) => ({ value: k, label: w(k) }))} /></Form.Item>
        <Form.Item name="regionId" label={w('region')} rules={[{ required: true }]}><Select options={places} /></Form.Item>
        {kind === 'organization_life' && <Form.Item name="partyOrganizationId" label={w('partyOrganizationId')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>}
        <Form.Item name="title" label={w('title')} rules={[{ required: true, max: 100 }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="body" label={w('body')} rules={[{ required: true }]}><Input.TextArea rows={6} maxLength={10000} /></Form.Item>
        <Form.Item name="publish" valuePropName="checked"><Checkbox>{w('publishNow')}</Checkbox></Form.Item>
        <Button type="primary" htmlType="submit">{w('save')}</Button>
      </Form>
    </Drawer>
  );
}
