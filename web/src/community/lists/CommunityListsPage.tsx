import { useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Drawer, Empty, Form, Input, Select, Space, Table, Tabs, Tag, Timeline } from 'antd';
import { FileExcelOutlined, PlusOutlined, FunctionOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Me, type Paged } from '../../api.ts';
import { Forbidden, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useListWords } from './messages.ts';

type ListKind = 'need' | 'problem' | 'service';
interface Item {
  id: number;
  listKind: ListKind;
  regionName: string;
  quarter: string | null;
  title: string;
  description: string;
  category: string | null;
  source: string;
  posterUnitName: string | null;
  posterName: string | null;
  posterPhone: string | null;
  caseCount: number;
  status: string;
  claimedByUnitName: string | null;
  claimedByPartyMemberName: string | null;
  deliveryNote: string | null;
  createdAt: string;
  allowedActions: string[];
}
interface ItemDetail extends Item {
  timeline: Array<{ id: number; action: string; actorLabel: string; note: string | null; at: string }>;
  sourceItem: { id: number; title: string } | null;
}

const statusColor: Record<string, string> = { posted: 'blue', claimed: 'orange', delivered: 'green', closed: 'default', withdrawn: 'default' };
const statuses = ['posted', 'claimed', 'delivered', 'closed', 'withdrawn'];
const currentQuarter = () => {
  const local = new Date(Date.now() + 8 * 3600_000);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
};
/** The places the user's roles cover, for the create and compile forms. */
const placesOf = (me: Me | null, levels: string[]) =>
  (me?.roles ?? []).filter((r) => r.regionNodeId !== null && levels.includes(String(r.regionLevel))).map((r) => ({ value: Number(r.regionNodeId), label: r.regionName ?? String(r.regionNodeId) }))
    .filter((o, i, all) => all.findIndex((x) => x.value === o.value) === i);

/** 三张清单: needs, the quarterly problem list and the service list, with claims and deliveries. */
export default function CommunityListsPage() {
  const w = useListWords();
  const [kind, setKind] = useState<ListKind>('need');
  return (
    <Card title={w('menu')}>
      <Tabs activeKey={kind} onChange={(k) => setKind(k as ListKind)} items={(['need', 'problem', 'service'] as const).map((k) => ({ key: k, label: <span data-testid={`lists-tab-${k}`}>{w(k)}</span> }))} />
      <ItemList key={kind} kind={kind} />
    </Card>
  );
}

function ItemList({ kind }: { kind: ListKind }) {
  const w = useListWords();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [quarter, setQuarter] = useState<string | undefined>(kind === 'problem' ? currentQuarter() : undefined);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const filters = { listKind: kind, q: q || undefined, status, quarter };
  const list = useAsync(() => apiRequest<Paged<Item>>('GET', '/community-lists', { query: { ...filters, page, pageSize: 20 } }), [kind, q, status, quarter, page]);
  const manage = Boolean(me?.abilities.manageCommunityLists);
  const canPost = kind === 'need' ? placesOf(me, ['community', 'street', 'grid', 'building']).length > 0 && (manage || (me?.roles ?? []).some((r) => ['grid_worker', 'grid_head', 'unit_contact'].includes(r.role))) : manage && kind === 'service';

  const compile = async () => {
    const community = placesOf(me, ['community', 'street'])[0];
    if (!community) return;
    try {
      const result = await apiRequest<{ created: number; updated: number }>('POST', '/community-lists/problems/compile', { body: { regionId: community.value, quarter: quarter ?? currentQuarter() } });
      message.success(w('compiled', result));
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };

  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} data-testid="lists-search" />
        <Select allowClear placeholder={w('status')} value={status} onChange={(v) => { setStatus(v); setPage(1); }} style={{ width: 120 }} options={statuses.map((s) => ({ value: s, label: w(s) }))} />
        {kind === 'problem' && <Input placeholder="2026Q4" value={quarter} onChange={(e) => setQuarter(/^20\d{2}Q[1-4]$/.test(e.target.value) ? e.target.value : e.target.value ? quarter : undefined)} style={{ width: 110 }} />}
        <Button icon={<FileExcelOutlined />} onClick={() => window.open(`/api/v1/community-lists/export.xlsx${qs(filters as never)}`, '_blank')}>{w('export')}</Button>
        {canPost && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="lists-create">{w('create')}</Button>}
        {kind === 'problem' && manage && <Button icon={<FunctionOutlined />} onClick={compile} data-testid="lists-compile">{w('compile')}</Button>}
      </Space>
      <Table<Item>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={w('empty')} /> }}
        onRow={(row) => ({ onClick: () => setOpen(row.id), style: { cursor: 'pointer' } })}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: w('title'), dataIndex: 'title' },
          { title: w('region'), dataIndex: 'regionName', width: 140 },
          ...(kind === 'problem' ? [{ title: w('caseCount'), dataIndex: 'caseCount', width: 90 }] : [{ title: w('poster'), width: 140, render: (_: unknown, r: Item) => r.posterUnitName ?? r.posterName ?? '—' }]),
          { title: w('claimer'), width: 140, render: (_: unknown, r: Item) => r.claimedByUnitName ?? r.claimedByPartyMemberName ?? '—' },
          { title: w('status'), dataIndex: 'status', width: 100, render: (s: string) => <Tag color={statusColor[s]}>{w(s)}</Tag> },
          { title: w('createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
        ]}
      />
      <ItemDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
      {creating && <CreateDrawer kind={kind} onClose={() => setCreating(false)} onCreated={() => { setCreating(false); list.reload(); }} />}
    </Space>
  );
}

function ItemDrawer({ id, onClose, onChanged }: { id: number | null; onClose: () => void; onChanged: () => void }) {
  const w = useListWords();
  const { message } = AntApp.useApp();
  const [note, setNote] = useState('');
  const detail = useAsync(() => apiRequest<ItemDetail>('GET', `/community-lists/${id}`), [id], { skip: id === null });
  const act = async (action: string) => {
    try {
      await apiRequest('POST', `/community-lists/${id}/actions`, { body: { action, ...(note.trim() ? { note: note.trim() } : {}) } });
      message.success(w('done'));
      setNote('');
      detail.reload();
      onChanged();
    } catch (error) {
      toastError(error);
    }
  };
  const item = detail.data;
  return (
    <Drawer open={id !== null} onClose={onClose} width={560} title={item?.title} destroyOnHidden>
      {item && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={w('status')}><Tag color={statusColor[item.status]}>{w(item.status)}</Tag></Descriptions.Item>
            <Descriptions.Item label={w('region')}>{item.regionName}</Descriptions.Item>
            {item.quarter && <Descriptions.Item label={w('quarter')}>{item.quarter}</Descriptions.Item>}
            <Descriptions.Item label={w('description')}>{item.description || '—'}</Descriptions.Item>
            <Descriptions.Item label={w('category')}>{item.category ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={w('poster')}>{[item.posterUnitName, item.posterName, item.posterPhone].filter(Boolean).join(' ') || '—'}</Descriptions.Item>
            {item.listKind === 'problem' && <Descriptions.Item label={w('caseCount')}>{item.caseCount}</Descriptions.Item>}
            <Descriptions.Item label={w('claimer')}>{item.claimedByUnitName ?? item.claimedByPartyMemberName ?? '—'}</Descriptions.Item>
            {item.deliveryNote && <Descriptions.Item label={w('deliveryNote')}>{item.deliveryNote}</Descriptions.Item>}
          </Descriptions>
          {item.allowedActions.length > 0 && (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input.TextArea rows={2} placeholder={w('note')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} />
              <Space wrap>
                {item.allowedActions.map((action) => (
                  <Button key={action} type={action === 'claim' || action === 'deliver' ? 'primary' : 'default'} danger={action === 'withdraw'} onClick={() => act(action)} data-testid={`list-action-${action}`}>{w(action)}</Button>
                ))}
              </Space>
            </Space>
          )}
          <Card size="small" title={w('timeline')}>
            <Timeline items={item.timeline.map((e) => ({ children: `${formatTime(e.at)} ${e.actorLabel} ${w(e.action)}${e.note ? `：${e.note}` : ''}` }))} />
          </Card>
        </Space>
      )}
    </Drawer>
  );
}

function CreateDrawer({ kind, onClose, onCreated }: { kind: ListKind; onClose: () => void; onCreated: () => void }) {
  const w = useListWords();
  const { me } = useAuth();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const places = placesOf(me, kind === 'need' ? ['community', 'street', 'grid', 'building'] : ['community', 'street']);
  const staff = (me?.roles ?? []).some((r) => ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'].includes(r.role));
  const submit = async (values: Record<string, unknown>) => {
    setSaving(true);
    try {
      const fields: Record<string, unknown> = { ...values, listKind: kind };
      const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
      await apiRequest('POST', '/community-lists', { body });
      onCreated();
    } catch (error) {
      toastError(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer open onClose={onClose} width={480} title={`${w('create')} · ${w(kind)}`}>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ regionId: places[0]?.value }}>
        <Form.Item name="regionId" label={w('region')} rules={[{ required: true }]}><Select options={places} /></Form.Item>
        <Form.Item name="title" label={w('title')} rules={[{ required: true, max: 100 }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="description" label={w('description')}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
        <Form.Item name="category" label={w('category')}><Input maxLength={50} /></Form.Item>
        {kind === 'need' && staff && (
          <>
            <Form.Item name="posterName" label={w('posterName')}><Input maxLength={50} /></Form.Item>
            <Form.Item name="posterPhone" label={w('posterPhone')} rules={[{ pattern: /^1[3-9]\d{9}$/ }]}><Input maxLength={11} /></Form.Item>
          </>
        )}
        {kind === 'problem' && <Form.Item name="quarter" label={w('quarter')} rules={[{ required: true, pattern: /^20\d{2}Q[1-4]$/ }]}><Input placeholder="2026Q4" /></Form.Item>}
        <Button type="primary" htmlType="submit" loading={saving} data-testid="lists-save">{w('save')}</Button>
      </Form>
    </Drawer>
  );
}
