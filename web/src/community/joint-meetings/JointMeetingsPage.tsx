import { useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, DatePicker, Drawer, Empty, Form, Input, InputNumber, Modal, Select, Space, Statistic, Switch, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useMeetingWords } from './messages.ts';

interface Alliance { id: number; name: string; regionName: string; description: string; memberCount: number; meetingCount: number }
interface AllianceDetail extends Alliance { members: Array<{ id: number; name: string; kind: string; roleLabel: string | null }>; canManage: boolean }
interface Meeting { id: number; allianceId: number; allianceName: string; title: string; heldAt: string; location: string | null; status: string; invitedCount: number; attendedCount: number; itemCount: number }
interface Item { id: number; title: string; meetingTitle: string; leadUnitName: string | null; dueOn: string | null; status: string; progressNote: string | null; overdue: boolean; version: number }
interface MeetingDetail extends Meeting {
  agenda: string;
  minutes: string | null;
  attendees: Array<{ id: number; name: string; attended: boolean; unitId: number | null }>;
  items: Item[];
  timeline: Array<{ id: number; action: string; actorLabel: string; note: string | null; at: string }>;
  canManage: boolean;
  allowedActions: string[];
}
interface ItemDetail extends Item { allowedActions: string[]; timeline: MeetingDetail['timeline'] }
interface Summary { node: { name: string }; set: number; done: number; inProgress: number; decided: number; dropped: number; overdue: number; children: Array<{ id: number; name: string; set: number; done: number; overdue: number }> }

const statusColor: Record<string, string> = { planned: 'blue', held: 'green', cancelled: 'default', decided: 'blue', in_progress: 'orange', done: 'green', dropped: 'default' };
const download = (path: string, query: Record<string, unknown>) => window.open(`/api/v1${path}${qs(query as never)}`, '_blank');

/** 联席会议: alliances and their members, meetings with attendance and minutes, and the co-building items board. */
export default function JointMeetingsPage() {
  const w = useMeetingWords();
  const { me } = useAuth();
  const manage = Boolean(me?.abilities.manageJointMeetings);
  return (
    <Card title={w('menu')}>
      <Tabs
        items={[
          { key: 'meetings', label: w('meetings'), children: <Meetings manage={manage} /> },
          { key: 'items', label: w('items'), children: <Items /> },
          { key: 'alliances', label: w('alliances'), children: <Alliances manage={manage} /> },
        ]}
      />
    </Card>
  );
}

function Alliances({ manage }: { manage: boolean }) {
  const w = useMeetingWords();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useAsync(() => apiRequest<Paged<Alliance>>('GET', '/alliances', { query: { q: q || undefined, page } }), [q, page]);
  const detail = useAsync(() => apiRequest<AllianceDetail>('GET', `/alliances/${open}`), [open], { skip: open === null });
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} />
        <Button icon={<FileExcelOutlined />} onClick={() => download('/alliances/export.xlsx', { q: q || undefined })}>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{w('newAlliance')}</Button>}
      </Space>
      <Table<Alliance>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: w('name'), dataIndex: 'name' },
          { title: w('region'), dataIndex: 'regionName' },
          { title: w('members'), dataIndex: 'memberCount', width: 90 },
          { title: w('meetingCount'), dataIndex: 'meetingCount', width: 90 },
        ]}
      />
      <Drawer open={open !== null} onClose={() => setOpen(null)} width={520} title={detail.data?.name}>
        {detail.data && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>{detail.data.description}</Typography.Paragraph>
            <Table size="small" rowKey="id" pagination={false} dataSource={detail.data.members} columns={[{ title: w('name'), dataIndex: 'name' }, { title: w('roleLabel'), dataIndex: 'roleLabel' }]} />
            {detail.data.canManage && (
              <Form layout="inline" onFinish={async (v: { unitId?: number; partyOrganizationId?: number; roleLabel?: string }) => {
                try { await apiRequest('POST', `/alliances/${open}/members`, { body: v }); message.success(w('saved')); detail.reload(); list.reload(); } catch (e) { toastError(e); }
              }}>
                <Form.Item name="unitId" label={w('unitId')}><InputNumber min={1} /></Form.Item>
                <Form.Item name="partyOrganizationId" label={w('organizationId')}><InputNumber min={1} /></Form.Item>
                <Form.Item name="roleLabel" label={w('roleLabel')}><Input maxLength={50} /></Form.Item>
                <Button htmlType="submit">{w('addMember')}</Button>
              </Form>
            )}
          </Space>
        )}
      </Drawer>
      <Modal open={creating} title={w('newAlliance')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={async (v: { regionId: number; name: string; description?: string }) => {
          try { await apiRequest('POST', '/alliances', { body: v }); setCreating(false); list.reload(); } catch (e) { toastError(e); }
        }}>
          <Form.Item name="regionId" label={w('region')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="name" label={w('name')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
          <Form.Item name="description" label={w('description')}><Input.TextArea maxLength={2000} /></Form.Item>
          <Button type="primary" htmlType="submit">{w('ok')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

function Meetings({ manage }: { manage: boolean }) {
  const w = useMeetingWords();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const filters = { q: q || undefined, status };
  const list = useAsync(() => apiRequest<Paged<Meeting>>('GET', '/joint-meetings', { query: { ...filters, page } }), [page, JSON.stringify(filters)]);
  const alliances = useAsync(() => apiRequest<Paged<Alliance>>('GET', '/alliances', { query: { pageSize: 200 } }), [], { skip: !manage });
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} />
        <Select allowClear placeholder={w('status')} style={{ width: 140 }} value={status} onChange={(v) => { setStatus(v); setPage(1); }}
          options={['planned', 'held', 'cancelled'].map((s) => ({ value: s, label: w(`status.${s}`) }))} />
        <Button icon={<FileExcelOutlined />} onClick={() => download('/joint-meetings/export.xlsx', filters)}>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{w('newMeeting')}</Button>}
      </Space>
      <Table<Meeting>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: w('title'), dataIndex: 'title' },
          { title: w('alliance'), dataIndex: 'allianceName' },
          { title: w('heldAt'), dataIndex: 'heldAt', render: formatTime, width: 170 },
          { title: w('status'), dataIndex: 'status', width: 100, render: (s: string) => <Tag color={statusColor[s]}>{w(`status.${s}`)}</Tag> },
          { title: w('attendance'), width: 90, render: (_, r) => `${r.attendedCount}/${r.invitedCount}` },
          { title: w('items'), dataIndex: 'itemCount', width: 90 },
        ]}
      />
      {open !== null && <MeetingDrawer id={open} onClose={() => { setOpen(null); list.reload(); }} />}
      <Modal open={creating} title={w('newMeeting')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={async (v: { allianceId: number; title: string; heldAt: { toISOString(): string }; location?: string; agenda?: string }) => {
          try {
            await apiRequest('POST', '/joint-meetings', { body: { ...v, heldAt: v.heldAt.toISOString() } });
            setCreating(false);
            list.reload();
          } catch (e) { toastError(e); }
        }}>
          <Form.Item name="allianceId" label={w('alliance')} rules={[{ required: true }]}>
            <Select options={(alliances.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))} />
          </Form.Item>
          <Form.Item name="title" label={w('title')} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>
          <Form.Item name="heldAt" label={w('heldAt')} rules={[{ required: true }]}><DatePicker showTime style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="location" label={w('location')}><Input maxLength={200} /></Form.Item>
          <Form.Item name="agenda" label={w('agenda')}><Input.TextArea rows={3} maxLength={5000} /></Form.Item>
          <Button type="primary" htmlType="submit">{w('ok')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

function MeetingDrawer({ id, onClose }: { id: number; onClose: () => void }) {
  const w = useMeetingWords();
  const { message, modal } = AntApp.useApp();
  const detail = useAsync(() => apiRequest<MeetingDetail>('GET', `/joint-meetings/${id}`), [id]);
  const [attended, setAttended] = useState<number[] | null>(null);
  const [minutes, setMinutes] = useState<string | null>(null);
  const d = detail.data;
  const came = attended ?? d?.attendees.filter((a) => a.attended).map((a) => a.id) ?? [];
  const text = minutes ?? d?.minutes ?? '';
  const run = async (fn: () => Promise<unknown>) => {
    try { await fn(); message.success(w('saved')); setAttended(null); setMinutes(null); detail.reload(); } catch (e) { toastError(e); }
  };
  return (
    <Drawer open onClose={onClose} width={640} title={d?.title}>
      {d && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>{formatTime(d.heldAt)} · {d.location ?? '—'} · <Tag color={statusColor[d.status]}>{w(`status.${d.status}`)}</Tag></Typography.Text>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}><b>{w('agenda')}：</b>{d.agenda || '—'}</Typography.Paragraph>
          <Typography.Title level={5}>{w('attendance')}</Typography.Title>
          <Typography.Text type="secondary">{w('points')}</Typography.Text>
          {d.attendees.map((a) => (
            <Checkbox key={a.id} disabled={!d.allowedActions.includes('hold')} checked={came.includes(a.id)}
              onChange={(e) => setAttended(e.target.checked ? [...came, a.id] : came.filter((x) => x !== a.id))}>{a.name}</Checkbox>
          ))}
          <Typography.Title level={5}>{w('minutes')}</Typography.Title>
          <Input.TextArea rows={6} value={text} disabled={!d.canManage || d.status === 'cancelled'} onChange={(e) => setMinutes(e.target.value)} maxLength={20000} />
          <Space wrap>
            {d.allowedActions.includes('hold') && <Button type="primary" disabled={!text.trim()} onClick={() => run(() => apiRequest('POST', `/joint-meetings/${id}/hold`, { body: { minutes: text, attendedIds: came } }))}>{w('hold')}</Button>}
            {d.canManage && d.status === 'held' && <Button onClick={() => run(() => apiRequest('PATCH', `/joint-meetings/${id}`, { body: { minutes: text } }))}>{w('saveMinutes')}</Button>}
            {d.allowedActions.includes('cancel') && (
              <Button danger onClick={() => {
                let reason = '';
                modal.confirm({ title: w('cancel'), content: <Input placeholder={w('reason')} onChange={(e) => { reason = e.target.value; }} />, onOk: () => run(() => apiRequest('POST', `/joint-meetings/${id}/cancel`, { body: { reason: reason || '—' } })) });
              }}>{w('cancel')}</Button>
            )}
          </Space>
          <Typography.Title level={5}>{w('items')}</Typography.Title>
          <Table size="small" rowKey="id" pagination={false} dataSource={d.items} columns={[
            { title: w('item'), dataIndex: 'title' },
            { title: w('leadUnit'), dataIndex: 'leadUnitName' },
            { title: w('dueOn'), dataIndex: 'dueOn' },
            { title: w('status'), dataIndex: 'status', render: (s: string, r: Item) => <Space><Tag color={statusColor[s]}>{w(`status.${s}`)}</Tag>{r.overdue && <Tag color="red">{w('overdue')}</Tag>}</Space> },
          ]} />
          {d.canManage && d.status === 'held' && (
            <Form layout="inline" onFinish={(v: { title: string; leadUnitId?: number; dueOn?: { format(f: string): string } }) =>
              run(() => apiRequest('POST', `/joint-meetings/${id}/items`, { body: { title: v.title, leadUnitId: v.leadUnitId, dueOn: v.dueOn?.format('YYYY-MM-DD') } }))}>
              <Form.Item name="title" rules={[{ required: true }]}><Input placeholder={w('item')} maxLength={200} /></Form.Item>
              <Form.Item name="leadUnitId"><Select allowClear placeholder={w('leadUnit')} style={{ width: 180 }} options={d.attendees.filter((a) => a.unitId).map((a) => ({ value: a.unitId!, label: a.name }))} /></Form.Item>
              <Form.Item name="dueOn"><DatePicker placeholder={w('dueOn')} /></Form.Item>
              <Button htmlType="submit">{w('decideItem')}</Button>
            </Form>
          )}
          <Typography.Title level={5}>{w('timeline')}</Typography.Title>
          <Timeline items={d.timeline.map((e) => ({ children: `${formatTime(e.at)} ${e.actorLabel} ${e.action}${e.note ? '：' + e.note : ''}` }))} />
        </Space>
      )}
    </Drawer>
  );
}

function Items() {
  const w = useMeetingWords();
  const { message, modal } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const filters = { q: q || undefined, status, overdue: overdue || undefined };
  const list = useAsync(() => apiRequest<Paged<Item>>('GET', '/co-building-items', { query: { ...filters, page } }), [page, JSON.stringify(filters)]);
  const summary = useAsync(() => apiRequest<Summary>('GET', '/co-building-items/summary'), []);
  const act = async (item: Item) => {
    const detail = await apiRequest<ItemDetail>('GET', `/co-building-items/${item.id}`).catch((e) => { toastError(e); return null; });
    if (!detail || detail.allowedActions.length === 0) return;
    let note = '';
    let action = detail.allowedActions[0];
    modal.confirm({
      title: item.title,
      content: (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Select defaultValue={action} style={{ width: '100%' }} onChange={(v) => { action = v; }} options={detail.allowedActions.map((a) => ({ value: a, label: w(`action.${a}`) }))} />
          <Input.TextArea placeholder={w('progress')} onChange={(e) => { note = e.target.value; }} />
        </Space>
      ),
      onOk: async () => {
        try {
          await apiRequest('POST', `/co-building-items/${item.id}/actions`, { body: { action, note: note.trim() || undefined, expectedVersion: detail.version } });
          message.success(w('saved'));
          list.reload();
          summary.reload();
        } catch (e) { toastError(e); }
      },
    });
  };
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  const s = summary.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {s && (
        <Space size="large" wrap>
          <Statistic title={`${s.node.name} · ${w('set')}`} value={s.set} />
          <Statistic title={w('done')} value={s.done} suffix={s.set ? `(${Math.round((s.done / s.set) * 100)}%)` : ''} />
          <Statistic title={w('inProgress')} value={s.inProgress + s.decided} />
          <Statistic title={w('overdue')} value={s.overdue} valueStyle={{ color: s.overdue ? '#cf1322' : undefined }} />
          <Statistic title={w('dropped')} value={s.dropped} />
        </Space>
      )}
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} />
        <Select allowClear placeholder={w('status')} style={{ width: 140 }} value={status} onChange={(v) => { setStatus(v); setPage(1); }}
          options={['decided', 'in_progress', 'done', 'dropped'].map((x) => ({ value: x, label: w(`status.${x}`) }))} />
        <Space><Switch checked={overdue} onChange={(v) => { setOverdue(v); setPage(1); }} />{w('onlyOverdue')}</Space>
        <Button icon={<FileExcelOutlined />} onClick={() => download('/co-building-items/export.xlsx', filters)}>{w('export')}</Button>
      </Space>
      <Table<Item>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        columns={[
          { title: w('item'), dataIndex: 'title' },
          { title: w('meetings'), dataIndex: 'meetingTitle' },
          { title: w('leadUnit'), dataIndex: 'leadUnitName' },
          { title: w('dueOn'), dataIndex: 'dueOn', width: 110 },
          { title: w('status'), dataIndex: 'status', width: 160, render: (x: string, r) => <Space><Tag color={statusColor[x]}>{w(`status.${x}`)}</Tag>{r.overdue && <Tag color="red">{w('overdue')}</Tag>}</Space> },
          { title: w('progress'), dataIndex: 'progressNote', ellipsis: true },
          { title: '', width: 100, render: (_, r) => (r.status === 'done' || r.status === 'dropped' ? null : <Button size="small" onClick={() => act(r)}>{w('action.report_progress')}</Button>) },
        ]}
      />
    </Space>
  );
}
