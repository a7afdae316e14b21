import { useEffect, useMemo, useState } from 'react';
import { App as AntApp, Alert, Button, DatePicker, Descriptions, Drawer, Empty, Form, Input, InputNumber, Modal, Pagination, Select, Space, Switch, Table, Tabs, Tag, Timeline, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, toastError, useAsync } from '../../common.tsx';
import { useResourceWords } from './messages.ts';

const KINDS = ['venue', 'meeting_room', 'sports_ground', 'parking', 'wall', 'other'] as const;
const TERMS = ['free', 'low_cost', 'paid'] as const;
type Action = 'approve' | 'reject' | 'cancel';
type Status = 'pending' | 'approved' | 'rejected' | 'cancelled';
const statusColor: Record<Status, string> = { pending: 'orange', approved: 'green', rejected: 'red', cancelled: 'default' };
const termColor: Record<string, string> = { free: 'green', low_cost: 'blue', paid: 'purple' };

interface Resource {
  id: number;
  communityId: number;
  communityName: string;
  ownerUnitId: number | null;
  ownerUnitName: string | null;
  kind: string;
  name: string;
  description: string;
  location: string | null;
  terms: string;
  priceNote: string | null;
  requiresApproval: boolean;
  capacity: number | null;
  active: boolean;
  upcomingBookings: number;
  pendingBookings: number;
  abilities: { edit: boolean; approve: boolean; book: boolean };
}
interface ResourceDetail extends Resource {
  myUnits: Array<{ unitId: number; name: string; balance: number; bookingMinimum: number; mayBook: boolean; standing: string }>;
  timeline: Array<{ id: number; action: string; actorLabel: string; note: string | null; at: string }>;
}
interface Booking {
  id: number;
  resourceId: number;
  resourceName: string;
  communityName: string;
  bookerLabel: string;
  purpose: string;
  from: string;
  to: string;
  status: Status;
  decidedByName: string | null;
  decisionNote: string | null;
  allowedActions: Action[];
}
type ResourcePage = Paged<Resource> & { canCreate: boolean };

const HOUR = 3600_000;
/** Monday 00:00 of the week holding `t`, in Asia/Shanghai (the server's calendar week). */
function chinaMonday(t: number): number {
  const local = new Date(t + 8 * HOUR);
  const back = (local.getUTCDay() + 6) % 7;
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - back) - 8 * HOUR;
}
const chinaClock = (iso: string) => new Date(new Date(iso).getTime() + 8 * HOUR).toISOString().slice(11, 16);
const chinaDate = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(5, 10);

/** 共享资源: the resource list, a resource's week calendar and booking form, the owners' approval queue, bookings. */
export default function SharedResourcesPage() {
  const w = useResourceWords();
  const [tab, setTab] = useState('resources');
  const [openId, setOpenId] = useState<number | null>(null);
  const [version, setVersion] = useState(0);
  const approvals = useAsync(() => apiRequest<Paged<Booking>>('GET', '/resource-bookings', { query: { toDecide: true, pageSize: 1 } }), [version]);
  const waiting = approvals.data?.total ?? 0;
  return (
    <div className="cg-page" data-testid="shared-resources-page">
      <h2 className="cg-page-title">{w('title')}</h2>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'resources', label: w('tabResources'), children: <ResourceList onOpen={setOpenId} version={version} /> },
          { key: 'approvals', label: <span data-testid="resources-approvals-tab">{w('tabApprovals')}{waiting > 0 && <Tag color="orange" style={{ marginLeft: 6 }}>{waiting}</Tag>}</span>, children: <BookingList toDecide version={version} onChanged={() => setVersion((v) => v + 1)} /> },
          { key: 'bookings', label: w('tabBookings'), children: <BookingList version={version} onChanged={() => setVersion((v) => v + 1)} /> },
        ]}
      />
      {openId !== null && <ResourceDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />}
    </div>
  );
}

function ResourceList({ onOpen, version }: { onOpen: (id: number) => void; version: number }) {
  const w = useResourceWords();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | undefined>();
  const [terms, setTerms] = useState<string | undefined>();
  const [active, setActive] = useState<string | undefined>('true');
  const [regionId, setRegionId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const filters = { q: q || undefined, kind, terms, active, regionId };
  const list = useAsync(() => apiRequest<ResourcePage>('GET', '/shared-resources', { query: { ...filters, page, pageSize } }), [page, pageSize, JSON.stringify(filters), version]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  const data = list.data;
  const columns: TableColumnsType<Resource> = [
    { title: w('name'), dataIndex: 'name', render: (name: string, r) => <Button type="link" style={{ padding: 0 }} onClick={() => onOpen(r.id)} data-testid="resource-open">{name}</Button> },
    { title: w('kind'), dataIndex: 'kind', width: 100, render: (k: string) => w(`kind.${k}`) },
    { title: w('owner'), dataIndex: 'ownerUnitName', width: 160, render: (v: string | null, r) => v ?? `${r.communityName}（${w('ownerCommunity')}）` },
    { title: w('location'), dataIndex: 'location', width: 160, render: (v: string | null) => v ?? '—' },
    { title: w('terms'), dataIndex: 'terms', width: 130, render: (t: string, r) => <Space size={2} direction="vertical"><Tag color={termColor[t]}>{w(`terms.${t}`)}</Tag>{r.priceNote && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.priceNote}</Typography.Text>}</Space> },
    { title: w('capacity'), dataIndex: 'capacity', width: 70, render: (v: number | null) => v ?? '—' },
    { title: w('approval'), dataIndex: 'requiresApproval', width: 70, render: (v: boolean) => (v ? '✓' : '—') },
    { title: w('pending'), dataIndex: 'pendingBookings', width: 70, render: (v: number) => (v ? <Tag color="orange">{v}</Tag> : 0) },
    { title: w('upcoming'), dataIndex: 'upcomingBookings', width: 80 },
    { title: w('inUse'), dataIndex: 'active', width: 70, render: (v: boolean) => (v ? <Tag color="green">{w('inUse')}</Tag> : <Tag>{w('notInUse')}</Tag>) },
  ];
  return (
    <>
      <div className="cg-toolbar">
        <Space wrap>
          <Input.Search allowClear style={{ width: 220 }} placeholder={w('search')} data-testid="resources-search" onSearch={(v) => (setQ(v.trim()), setPage(1))} />
          <Select allowClear style={{ width: 120 }} placeholder={w('kind')} value={kind} onChange={(v) => (setKind(v), setPage(1))} options={KINDS.map((k) => ({ value: k, label: w(`kind.${k}`) }))} data-testid="resources-kind" />
          <Select allowClear style={{ width: 110 }} placeholder={w('terms')} value={terms} onChange={(v) => (setTerms(v), setPage(1))} options={TERMS.map((t) => ({ value: t, label: w(`terms.${t}`) }))} />
          <Select allowClear style={{ width: 100 }} placeholder={w('inUse')} value={active} onChange={(v) => (setActive(v), setPage(1))} options={[{ value: 'true', label: w('inUse') }, { value: 'false', label: w('notInUse') }]} />
          <RegionTreeSelect style={{ width: 200 }} placeholder={w('community')} value={regionId} maxLevel="community" onChange={(id) => (setRegionId(id), setPage(1))} />
          <Button icon={<FileExcelOutlined />} href={`/api/v1/shared-resources/export.xlsx${qs(filters)}`} download data-testid="resources-export">{w('export')}</Button>
          {data?.canCreate && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="resources-add">{w('add')}</Button>}
        </Space>
      </div>
      <Table<Resource> rowKey="id" size="middle" loading={list.loading} columns={columns} dataSource={data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }} pagination={false} scroll={{ x: 1100 }} data-testid="resources-table" />
      {data && data.total > 0 && <Pagination style={{ marginTop: 16 }} current={page} pageSize={pageSize} total={data.total} showSizeChanger showTotal={(n) => w('total', { n })} onChange={(p, s) => (setPage(p), setPageSize(s))} />}
      {creating && <ResourceForm onClose={() => setCreating(false)} onSaved={(id) => (setCreating(false), list.reload(), onOpen(id))} />}
    </>
  );
}

interface ResourceValues {
  communityId?: string;
  ownerUnitId?: number | null;
  kind: string;
  name: string;
  description?: string;
  location?: string;
  terms: string;
  priceNote?: string;
  requiresApproval: boolean;
  capacity?: number | null;
}

/** Add (community staff) or edit (staff or the owner unit) a resource. */
function ResourceForm({ resource, onClose, onSaved }: { resource?: ResourceDetail; onClose: () => void; onSaved: (id: number) => void }) {
  const w = useResourceWords();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ResourceValues>();
  const [busy, setBusy] = useState(false);
  const communityId = Form.useWatch('communityId', form);
  const terms = Form.useWatch('terms', form);
  const units = useAsync(
    () => apiRequest<Paged<{ id: number; name: string }>>('GET', '/units', { query: { kind: 'resident_unit', regionId: communityId, pageSize: 200 } }),
    [communityId],
    { skip: !communityId || Boolean(resource) },
  );
  async function submit() {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const common = { kind: v.kind, name: v.name.trim(), description: v.description ?? '', location: v.location ?? null, terms: v.terms, priceNote: v.terms === 'free' ? null : v.priceNote ?? null, requiresApproval: v.requiresApproval, capacity: v.capacity ?? null };
      const saved = resource
        ? await apiRequest<ResourceDetail>('PATCH', `/shared-resources/${resource.id}`, { body: common })
        : await apiRequest<ResourceDetail>('POST', '/shared-resources', { body: { ...common, communityId: Number(v.communityId), ownerUnitId: v.ownerUnitId ?? null } });
      message.success(w('saved'));
      onSaved(saved.id);
    } catch (error) {
      toastError(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open width={560} title={resource ? `${w('edit')} · ${resource.name}` : w('add')} okText={w('save')} cancelText={w('cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={onClose} okButtonProps={{ 'data-testid': 'resource-form-ok' } as never}>
      <Form
        form={form}
        layout="vertical"
        initialValues={resource ? { ...resource, location: resource.location ?? undefined, priceNote: resource.priceNote ?? undefined } : { kind: 'venue', terms: 'free', requiresApproval: false }}
      >
        {!resource && (
          <>
            <Form.Item name="communityId" label={w('community')} rules={[{ required: true, message: w('required') }]}>
              <RegionTreeSelect selectableLevel="community" style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="ownerUnitId" label={w('ownerUnit')}>
              <Select allowClear disabled={!communityId} loading={units.loading} options={(units.data?.items ?? []).map((u) => ({ value: Number(u.id), label: u.name }))} data-testid="resource-form-owner" />
            </Form.Item>
          </>
        )}
        <Form.Item name="name" label={w('name')} rules={[{ required: true, whitespace: true, max: 60, message: w('required') }]}><Input maxLength={60} data-testid="resource-form-name" /></Form.Item>
        <Space wrap>
          <Form.Item name="kind" label={w('kind')} rules={[{ required: true }]}><Select style={{ width: 140 }} options={KINDS.map((k) => ({ value: k, label: w(`kind.${k}`) }))} /></Form.Item>
          <Form.Item name="terms" label={w('terms')} rules={[{ required: true }]}><Select style={{ width: 120 }} options={TERMS.map((t) => ({ value: t, label: w(`terms.${t}`) }))} /></Form.Item>
          <Form.Item name="capacity" label={w('capacity')}><InputNumber min={1} max={100000} precision={0} /></Form.Item>
        </Space>
        {terms && terms !== 'free' && <Form.Item name="priceNote" label={w('priceNote')}><Input maxLength={200} /></Form.Item>}
        <Form.Item name="location" label={w('location')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="description" label={w('description')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
        <Form.Item name="requiresApproval" label={w('requiresApproval')} valuePropName="checked"><Switch data-testid="resource-form-approval" /></Form.Item>
      </Form>
    </Modal>
  );
}

function ResourceDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const w = useResourceWords();
  const { message } = AntApp.useApp();
  const [weekStart, setWeekStart] = useState(() => chinaMonday(Date.now()));
  const [editing, setEditing] = useState(false);
  const [booking, setBooking] = useState(false);
  const [version, setVersion] = useState(0);
  const detail = useAsync(() => apiRequest<ResourceDetail>('GET', `/shared-resources/${id}`), [id, version]);
  const calendar = useAsync(
    () => apiRequest<{ items: Booking[] }>('GET', `/shared-resources/${id}/bookings`, { query: { from: new Date(weekStart).toISOString(), to: new Date(weekStart + 7 * 24 * HOUR).toISOString() } }),
    [id, weekStart, version],
  );
  const r = detail.data;
  const changed = () => (setVersion((v) => v + 1), onChanged());
  async function setActive(active: boolean) {
    try {
      await apiRequest('PATCH', `/shared-resources/${id}`, { body: { active } });
      message.success(w('saved'));
      changed();
    } catch (error) {
      toastError(error);
    }
  }
  const days = w('days').split(',');
  const byDay = useMemo(() => {
    const result: Booking[][] = Array.from({ length: 7 }, () => []);
    for (const b of calendar.data?.items ?? []) {
      for (let d = 0; d < 7; d++) {
        const start = weekStart + d * 24 * HOUR;
        if (new Date(b.from).getTime() < start + 24 * HOUR && new Date(b.to).getTime() > start) result[d].push(b);
      }
    }
    return result;
  }, [calendar.data, weekStart]);
  return (
    <Drawer open width={860} title={r?.name ?? ''} onClose={onClose} data-testid="resource-drawer"
      extra={r && (
        <Space>
          {r.abilities.book && <Button type="primary" onClick={() => setBooking(true)} data-testid="resource-book-open">{w('book')}</Button>}
          {r.abilities.edit && <Button onClick={() => setEditing(true)}>{w('edit')}</Button>}
          {r.abilities.edit && <Button danger={r.active} onClick={() => void setActive(!r.active)}>{r.active ? w('withdraw') : w('reopen')}</Button>}
        </Space>
      )}
    >
      {isForbidden(detail.error) ? <Forbidden error={detail.error} /> : r && (
        <>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={w('kind')}>{w(`kind.${r.kind}`)}</Descriptions.Item>
            <Descriptions.Item label={w('owner')}>{r.ownerUnitName ?? `${r.communityName}（${w('ownerCommunity')}）`}</Descriptions.Item>
            <Descriptions.Item label={w('terms')}><Tag color={termColor[r.terms]}>{w(`terms.${r.terms}`)}</Tag>{r.priceNote}</Descriptions.Item>
            <Descriptions.Item label={w('capacity')}>{r.capacity ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={w('location')}>{r.location ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={w('approval')}>{r.requiresApproval ? '✓' : '—'}</Descriptions.Item>
            {r.description && <Descriptions.Item label={w('description')} span={2}>{r.description}</Descriptions.Item>}
          </Descriptions>
          {r.myUnits.map((u) => (
            <Alert key={u.unitId} style={{ marginTop: 12 }} type={u.mayBook ? 'success' : 'warning'} showIcon data-testid="resource-my-unit"
              message={u.mayBook ? w('unitStanding', { unit: u.name, balance: u.balance }) : w('belowMinimum', { unit: u.name, balance: u.balance, min: u.bookingMinimum })} />
          ))}
          <Space style={{ margin: '16px 0 8px' }}>
            <Typography.Title level={5} style={{ margin: 0 }}>{w('week')}</Typography.Title>
            <Button size="small" icon={<LeftOutlined />} onClick={() => setWeekStart((t) => t - 7 * 24 * HOUR)} aria-label={w('prevWeek')} data-testid="calendar-prev" />
            <Button size="small" onClick={() => setWeekStart(chinaMonday(Date.now()))} data-testid="calendar-this-week">{w('thisWeek')}</Button>
            <Button size="small" icon={<RightOutlined />} onClick={() => setWeekStart((t) => t + 7 * 24 * HOUR)} aria-label={w('nextWeek')} data-testid="calendar-next" />
          </Space>
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 6 }} data-testid="resource-calendar">
            {byDay.map((items, d) => (
              <div key={d} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 6, minHeight: 120 }}>
                <Typography.Text strong>{days[d]} {chinaDate(weekStart + d * 24 * HOUR)}</Typography.Text>
                {items.length === 0 && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{w('noBookings')}</Typography.Text></div>}
                {items.map((b) => (
                  <div key={b.id} data-testid="calendar-booking" data-status={b.status} style={{ marginTop: 4, padding: 4, borderRadius: 4, background: b.status === 'pending' ? '#fff7e6' : '#f6ffed', fontSize: 12 }}>
                    <div>{chinaClock(b.from)}–{chinaClock(b.to)}</div>
                    <div>{b.bookerLabel}</div>
                    <Tag color={statusColor[b.status]} style={{ fontSize: 11 }}>{w(`status.${b.status}`)}</Tag>
                  </div>
                ))}
              </div>
            ))}
          </div>
          {r.timeline.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>{w('timeline')}</Typography.Title>
              <Timeline items={r.timeline.map((e) => ({ children: `${formatTime(e.at)} ${e.actorLabel} · ${w(`event.${e.action}`)}${e.note ? ` · ${e.note}` : ''}` }))} />
            </>
          )}
          {editing && <ResourceForm resource={r} onClose={() => setEditing(false)} onSaved={() => (setEditing(false), changed())} />}
          {booking && <BookingForm resource={r} onClose={() => setBooking(false)} onBooked={() => (setBooking(false), changed())} />}
        </>
      )}
    </Drawer>
  );
}

/** The booking form: a period (at most 7 days, not in the past), a purpose, and the unit that books. */
function BookingForm({ resource, onClose, onBooked }: { resource: ResourceDetail; onClose: () => void; onBooked: () => void }) {
  const w = useResourceWords();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ period: [Dayjs, Dayjs]; purpose: string; unitId?: number }>();
  const [busy, setBusy] = useState(false);
  const [clash, setClash] = useState<string | null>(null);
  const unitId = Form.useWatch('unitId', form);
  useEffect(() => {
    if (resource.myUnits.length === 1) form.setFieldValue('unitId', resource.myUnits[0].unitId);
  }, [resource, form]);
  const chosen = resource.myUnits.find((u) => u.unitId === unitId);
  async function submit() {
    const v = await form.validateFields();
    setBusy(true);
    setClash(null);
    try {
      const body = { from: v.period[0].toISOString(), to: v.period[1].toISOString(), purpose: v.purpose.trim(), ...(v.unitId ? { unitId: v.unitId } : {}) };
      const booked = await apiRequest<Booking>('POST', `/shared-resources/${resource.id}/bookings`, { body });
      message.success(booked.status === 'pending' ? w('bookedPending') : w('booked'));
      onBooked();
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === 'conflict' || e.code === 'forbidden') setClash(e.message ?? w('clash'));
      else toastError(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={w('bookTitle', { name: resource.name })} okText={w('book')} cancelText={w('cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={onClose}
      okButtonProps={{ disabled: Boolean(chosen && !chosen.mayBook), 'data-testid': 'booking-ok' } as never}>
      <Form form={form} layout="vertical">
        <Form.Item name="period" label={w('period')} extra={w('maxWeek')}
          rules={[{ required: true, message: w('required') }, { validator: async (_, v?: [Dayjs, Dayjs]) => { if (v && (v[1].diff(v[0], 'hour', true) > 7 * 24 || v[0].isBefore(dayjs().subtract(1, 'minute')))) throw new Error(w('maxWeek')); } }]}>
          <DatePicker.RangePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" disabledDate={(d) => d.isBefore(dayjs().startOf('day'))} style={{ width: '100%' }} data-testid="booking-period" />
        </Form.Item>
        <Form.Item name="purpose" label={w('purpose')} rules={[{ required: true, whitespace: true, min: 2, message: w('purposeHint') }]}>
          <Input maxLength={200} placeholder={w('purposeHint')} data-testid="booking-purpose" />
        </Form.Item>
        {resource.myUnits.length > 0 && (
          <Form.Item name="unitId" label={w('bookFor')}>
            <Select allowClear placeholder={w('bookForCommunity')} options={resource.myUnits.map((u) => ({ value: u.unitId, label: w('unitStanding', { unit: u.name, balance: u.balance }) }))} />
          </Form.Item>
        )}
        {chosen && !chosen.mayBook && <Alert type="warning" showIcon message={w('belowMinimum', { unit: chosen.name, balance: chosen.balance, min: chosen.bookingMinimum })} />}
        {clash && <Alert type="error" showIcon message={clash} data-testid="booking-error" />}
      </Form>
    </Modal>
  );
}

function BookingList({ toDecide = false, version, onChanged }: { toDecide?: boolean; version: number; onChanged: () => void }) {
  const w = useResourceWords();
  const { message } = AntApp.useApp();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<Status | undefined>();
  const [q, setQ] = useState('');
  const [acting, setActing] = useState<{ booking: Booking; action: Action } | null>(null);
  const filters = { q: q || undefined, status: toDecide ? undefined : status, toDecide: toDecide || undefined };
  const list = useAsync(() => apiRequest<Paged<Booking>>('GET', '/resource-bookings', { query: { ...filters, page, pageSize: 20 } }), [page, JSON.stringify(filters), version]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  async function act(note: string | undefined) {
    if (!acting) return;
    try {
      await apiRequest('POST', `/resource-bookings/${acting.booking.id}/${acting.action}`, { body: note ? { note } : {} });
      message.success(w('saved'));
      setActing(null);
      onChanged();
    } catch (error) {
      toastError(error);
    }
  }
  const columns: TableColumnsType<Booking> = [
    { title: w('resource'), dataIndex: 'resourceName', width: 160 },
    { title: w('booker'), dataIndex: 'bookerLabel', width: 150 },
    { title: w('purpose'), dataIndex: 'purpose' },
    { title: w('from'), dataIndex: 'from', width: 140, render: (v: string) => formatTime(v) },
    { title: w('to'), dataIndex: 'to', width: 140, render: (v: string) => formatTime(v) },
    { title: w('status'), dataIndex: 'status', width: 90, render: (s: Status) => <Tag color={statusColor[s]} data-testid="booking-status" data-status={s}>{w(`status.${s}`)}</Tag> },
    { title: w('decidedBy'), dataIndex: 'decidedByName', width: 110, render: (v: string | null, b) => (v ? `${v}${b.decisionNote ? `：${b.decisionNote}` : ''}` : '—') },
    {
      title: w('actions'),
      key: 'actions',
      width: 200,
      render: (_, b) => (
        <Space size={4} wrap>
          {b.allowedActions.map((action) => (
            <Button key={action} size="small" type={action === 'approve' ? 'primary' : 'default'} danger={action === 'reject'} data-testid={`booking-${action}`}
              onClick={() => setActing({ booking: b, action })}>
              {w(`action.${action}`)}
            </Button>
          ))}
        </Space>
      ),
    },
  ];
  return (
    <>
      <div className="cg-toolbar">
        <Space wrap>
          <Input.Search allowClear style={{ width: 220 }} placeholder={w('search')} onSearch={(v) => (setQ(v.trim()), setPage(1))} />
          {!toDecide && <Select allowClear style={{ width: 120 }} placeholder={w('status')} value={status} onChange={(v) => (setStatus(v), setPage(1))} options={(['pending', 'approved', 'rejected', 'cancelled'] as const).map((s) => ({ value: s, label: w(`status.${s}`) }))} />}
          <Button icon={<FileExcelOutlined />} href={`/api/v1/resource-bookings/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        </Space>
      </div>
      <Table<Booking> rowKey="id" size="middle" loading={list.loading} columns={columns} dataSource={list.data?.items ?? []} pagination={false} scroll={{ x: 1100 }}
        locale={{ emptyText: <Empty description={toDecide ? w('noApprovals') : w('noRecords')} /> }} data-testid={toDecide ? 'approvals-table' : 'bookings-table'} />
      {list.data && list.data.total > 20 && <Pagination style={{ marginTop: 16 }} current={page} pageSize={20} total={list.data.total} showTotal={(n) => w('total', { n })} onChange={setPage} />}
      {acting && <DecisionModal action={acting.action} booking={acting.booking} onCancel={() => setActing(null)} onSubmit={act} />}
    </>
  );
}

function DecisionModal({ action, booking, onCancel, onSubmit }: { action: Action; booking: Booking; onCancel: () => void; onSubmit: (note: string | undefined) => Promise<void> }) {
  const w = useResourceWords();
  const [form] = Form.useForm<{ note?: string }>();
  const [busy, setBusy] = useState(false);
  const label = action === 'reject' ? w('rejectReason') : action === 'cancel' ? w('cancelNote') : w('approveNote');
  async function submit() {
    const { note } = await form.validateFields();
    setBusy(true);
    try {
      await onSubmit(note?.trim() || undefined);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={`${w(`action.${action}`)} · ${booking.resourceName} · ${booking.bookerLabel}`} okText={w('ok')} cancelText={w('cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={onCancel} okButtonProps={{ 'data-testid': 'booking-decision-ok' } as never}>
      <Typography.Paragraph type="secondary">{formatTime(booking.from)} – {formatTime(booking.to)} · {booking.purpose}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="note" label={label} rules={action === 'reject' ? [{ required: true, whitespace: true, min: 2, message: w('rejectReason') }] : []}>
          <Input.TextArea rows={2} maxLength={200} data-testid="booking-decision-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
