import { useState } from 'react';
import { App as AntApp, Button, Descriptions, Drawer, Empty, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Me, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useVolunteerWords } from './messages.ts';

type W = ReturnType<typeof useVolunteerWords>;
interface Team { id: number; regionName: string; name: string; kind: string; leaderName: string | null; members: number; description: string }
interface Volunteer { id: number; regionName: string; name: string; phone: string | null; skills: string | null; teams: string; hours: number; status: string; partyMemberId: number | null }
interface Activity {
  id: number;
  regionName: string;
  teamName: string | null;
  title: string;
  description: string;
  location: string | null;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  hours: number;
  status: string;
  signedUp: number;
  checkedIn: number;
  full: boolean;
  mySignupId: number | null;
  abilities: { manage: boolean; signUp: boolean; actions: string[] };
}
interface Signup { id: number; volunteerId: number; volunteerName: string; phone: string | null; unitName: string | null; status: string; signedUpAt: string; checkedInAt: string | null; abilities: { checkIn: boolean; cancel: boolean } }
type ActivityDetail = Activity & { signups: Signup[] };
interface ServiceRecord {
  volunteer: Volunteer;
  activities: Array<{ signupId: number; title: string; startsAt: string; status: string; hoursCredited: number }>;
  entries: Array<{ id: number; sourceKind: string; title: string | null; servedOn: string; hours: number }>;
  hoursByMonth: Array<{ month: string; hours: number }>;
  totalHours: number;
}

const homeNode = (me: Me | null) => me?.roles.find((r) => (r.regionLevel === 'community' || r.regionLevel === 'street') && r.source === 'assignment')?.regionNodeId ?? undefined;
const pager = (w: W, total: number | undefined, page: number, pageSize: number, set: (p: number, s: number) => void) => ({ current: page, pageSize, total: total ?? 0, showSizeChanger: true, showTotal: (n: number) => w('total', { n }), onChange: set });
const statusTag = (w: W, s: string) => <Tag color={s === 'open' || s === 'checked_in' || s === 'active' ? 'green' : s === 'signed_up' ? 'blue' : 'default'}>{w(`status.${s}`)}</Tag>;

function useList<T>(path: string, filters: Record<string, unknown>) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const list = useAsync(() => apiRequest<Paged<T>>('GET', path, { query: { ...filters, page, pageSize } as never }), [path, JSON.stringify(filters), page, pageSize]);
  return { list, page, pageSize, set: (p: number, s: number) => { setPage(p); setPageSize(s); }, reset: () => setPage(1) };
}

function ActivitiesTab({ w, manage }: { w: W; manage: boolean }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const filters = { q: q || undefined, status };
  const { list, page, pageSize, set, reset } = useList<Activity>('/volunteer-activities', filters);
  const detail = useAsync(() => apiRequest<ActivityDetail>('GET', `/volunteer-activities/${open}`), [open], { skip: open === null });
  const [signing, setSigning] = useState(false);
  const [signForm] = Form.useForm();
  const volunteers = useAsync(() => apiRequest<Paged<Volunteer>>('GET', '/volunteers', { query: { status: 'active', pageSize: 200 } }), [signing], { skip: !signing });
  const run = async (method: 'POST', path: string, body?: unknown) => {
    try {
      await apiRequest(method, path, { body });
      message.success(w('saved'));
      list.reload();
      if (open !== null) detail.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await apiRequest('POST', '/volunteer-activities', { body: { regionId: Number(v.regionId), title: v.title, description: v.description || undefined, location: v.location || undefined,
        startsAt: new Date(v.startsAt).toISOString(), endsAt: new Date(v.endsAt).toISOString(), capacity: v.capacity ?? undefined, hours: v.hours } });
      message.success(w('saved'));
      setCreating(false);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const columns: TableColumnsType<Activity> = [
    { title: w('activityTitle'), dataIndex: 'title', render: (t: string, a) => <Button type="link" style={{ padding: 0 }} onClick={() => setOpen(a.id)}>{t}</Button> },
    { title: w('startsAt'), dataIndex: 'startsAt', width: 160, render: (v: string) => formatTime(v) },
    { title: w('location'), dataIndex: 'location', width: 140 },
    { title: w('signedUp'), key: 's', width: 100, render: (_, a) => <Space>{`${a.signedUp}${a.capacity ? ` / ${a.capacity}` : ''}`}{a.full && <Tag color="orange">{w('full')}</Tag>}</Space> },
    { title: w('hours'), dataIndex: 'hours', width: 90 },
    { title: w('status'), dataIndex: 'status', width: 100, render: (s: string) => statusTag(w, s) },
    {
      title: w('actions'), key: 'a', width: 260,
      render: (_, a) => (
        <Space wrap>
          {a.abilities.signUp && !a.abilities.manage && <Button size="small" type="primary" onClick={() => run('POST', `/volunteer-activities/${a.id}/signups`, {})}>{w('signUpSelf')}</Button>}
          {a.abilities.actions.map((action) => <Button key={action} size="small" danger={action === 'cancel'} onClick={() => run('POST', `/volunteer-activities/${a.id}/${action}`)}>{w(`action.${action}`)}</Button>)}
        </Space>
      ),
    },
  ];
  const d = detail.data;
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); reset(); }} style={{ width: 220 }} />
        <Select allowClear placeholder={w('status')} value={status} onChange={(v) => { setStatus(v); reset(); }} style={{ width: 130 }} options={['open', 'closed', 'finished', 'cancelled'].map((s) => ({ value: s, label: w(`status.${s}`) }))} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/volunteer-activities/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ regionId: homeNode(me), hours: 2 }); setCreating(true); }}>{w('newActivity')}</Button>}
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} locale={{ emptyText: <Empty description={w('empty')} /> }} pagination={pager(w, list.data?.total, page, pageSize, set)} />
      <Drawer open={open !== null} width={640} title={d?.title} onClose={() => setOpen(null)}
        extra={d?.abilities.manage && d.abilities.signUp && <Button type="primary" onClick={() => { signForm.resetFields(); setSigning(true); }}>{w('signUp')}</Button>}>
        {d && (
          <>
            <Descriptions size="small" column={2} items={[
              { key: 't', label: w('startsAt'), children: `${formatTime(d.startsAt)} – ${formatTime(d.endsAt)}` },
              { key: 'l', label: w('location'), children: d.location ?? '—' },
              { key: 'c', label: w('signedUp'), children: `${d.signedUp}${d.capacity ? ` / ${d.capacity}` : ''}` },
              { key: 'h', label: w('hours'), children: d.hours },
              { key: 's', label: w('status'), children: statusTag(w, d.status) },
              { key: 'team', label: w('team'), children: d.teamName ?? '—' },
            ]} />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{d.description}</Typography.Paragraph>
            <Table rowKey="id" size="small" pagination={false} dataSource={d.signups} locale={{ emptyText: <Empty description={w('empty')} /> }}
              columns={[
                { title: w('name'), dataIndex: 'volunteerName' },
                { title: w('phone'), dataIndex: 'phone', width: 130 },
                { title: w('unit'), dataIndex: 'unitName', render: (v: string | null) => v ?? '—' },
                { title: w('status'), dataIndex: 'status', width: 90, render: (s: string) => statusTag(w, s) },
                { title: w('actions'), key: 'a', width: 170, render: (_: unknown, s: Signup) => (
                  <Space>
                    {s.abilities.checkIn && <Button size="small" type="primary" onClick={() => run('POST', `/activity-signups/${s.id}/check-in`)}>{w('checkIn')}</Button>}
                    {s.abilities.cancel && <Button size="small" onClick={() => run('POST', `/activity-signups/${s.id}/cancel`)}>{w('cancelSignup')}</Button>}
                  </Space>
                ) },
              ]} />
          </>
        )}
      </Drawer>
      <Modal open={signing} title={w('signUp')} okText={w('ok')} cancelText={w('cancel')} onCancel={() => setSigning(false)} destroyOnHidden
        onOk={async () => { const v = await signForm.validateFields(); setSigning(false); await run('POST', `/volunteer-activities/${open}/signups`, { volunteerId: v.volunteerId, unitId: v.unitId ?? undefined }); }}>
        <Form form={signForm} layout="vertical">
          <Form.Item name="volunteerId" label={w('chooseVolunteer')} rules={[{ required: true }]}>
            <Select showSearch optionFilterProp="label" options={(volunteers.data?.items ?? []).map((v) => ({ value: v.id, label: `${v.name} ${v.phone ?? ''}` }))} />
          </Form.Item>
          <Form.Item name="unitId" label={w('unit')}><InputNumber min={1} precision={0} style={{ width: 200 }} /></Form.Item>
        </Form>
      </Modal>
      <Modal open={creating} title={w('newActivity')} onOk={submit} onCancel={() => setCreating(false)} okText={w('ok')} cancelText={w('cancel')} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="regionId" label={w('region')} rules={[{ required: true, message: w('chooseRegion') }]}><RegionTreeSelect maxLevel="community" placeholder={w('chooseRegion')} /></Form.Item>
          <Form.Item name="title" label={w('activityTitle')} rules={[{ required: true, whitespace: true, max: 100 }]}><Input maxLength={100} /></Form.Item>
          <Form.Item name="location" label={w('location')}><Input maxLength={100} /></Form.Item>
          <Space>
            <Form.Item name="startsAt" label={w('startsAt')} rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item>
            <Form.Item name="endsAt" label={w('endsAt')} rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item>
          </Space>
          <Space>
            <Form.Item name="capacity" label={w('capacity')}><InputNumber min={1} max={10000} precision={0} /></Form.Item>
            <Form.Item name="hours" label={w('hours')} rules={[{ required: true }]}><InputNumber min={0.01} max={24} step={0.5} precision={2} /></Form.Item>
          </Space>
          <Form.Item name="description" label={w('description')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function VolunteersTab({ w, manage }: { w: W; manage: boolean }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [recordOf, setRecordOf] = useState<Volunteer | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const filters = { q: q || undefined };
  const { list, page, pageSize, set, reset } = useList<Volunteer>('/volunteers', filters);
  const record = useAsync(() => apiRequest<ServiceRecord>('GET', `/volunteers/${recordOf!.id}/record`), [recordOf?.id], { skip: recordOf === null });
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await apiRequest('POST', '/volunteers', { body: { regionId: Number(v.regionId), name: v.name, phone: v.phone || undefined, skills: v.skills || undefined } });
      message.success(w('saved'));
      setCreating(false);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); reset(); }} style={{ width: 220 }} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/volunteers/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ regionId: homeNode(me) }); setCreating(true); }}>{w('newVolunteer')}</Button>}
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }} pagination={pager(w, list.data?.total, page, pageSize, set)}
        columns={[
          { title: w('name'), dataIndex: 'name', render: (n: string, v: Volunteer) => <Button type="link" style={{ padding: 0 }} onClick={() => setRecordOf(v)}>{n}</Button> },
          { title: w('phone'), dataIndex: 'phone', width: 130 },
          { title: w('teams'), dataIndex: 'teams' },
          { title: w('skills'), dataIndex: 'skills', width: 120 },
          { title: w('totalHours'), dataIndex: 'hours', width: 120 },
          { title: w('region'), dataIndex: 'regionName', width: 120 },
        ]} />
      <Drawer open={recordOf !== null} width={600} title={`${recordOf?.name ?? ''} · ${w('record')}`} onClose={() => setRecordOf(null)}
        extra={recordOf && <Button icon={<FileExcelOutlined />} href={`/api/v1/volunteers/${recordOf.id}/record.xlsx`} download>{w('export')}</Button>}>
        {record.data && (
          <>
            <Typography.Title level={5}>{w('totalHours')}: {record.data.totalHours}</Typography.Title>
            <Table rowKey="month" size="small" pagination={false} dataSource={record.data.hoursByMonth} columns={[{ title: w('month'), dataIndex: 'month' }, { title: w('hours'), dataIndex: 'hours' }]} locale={{ emptyText: <Empty description={w('empty')} /> }} />
            <Typography.Title level={5} style={{ marginTop: 16 }}>{w('activities')}</Typography.Title>
            <Table rowKey="signupId" size="small" pagination={false} dataSource={record.data.activities} locale={{ emptyText: <Empty description={w('empty')} /> }}
              columns={[{ title: w('activityTitle'), dataIndex: 'title' }, { title: w('startsAt'), dataIndex: 'startsAt', render: (v: string) => formatTime(v) }, { title: w('status'), dataIndex: 'status', render: (s: string) => statusTag(w, s) }, { title: w('hours'), dataIndex: 'hoursCredited' }]} />
          </>
        )}
      </Drawer>
      <Modal open={creating} title={w('newVolunteer')} onOk={submit} onCancel={() => setCreating(false)} okText={w('ok')} cancelText={w('cancel')} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="regionId" label={w('region')} rules={[{ required: true, message: w('chooseRegion') }]}><RegionTreeSelect maxLevel="community" placeholder={w('chooseRegion')} /></Form.Item>
          <Form.Item name="name" label={w('name')} rules={[{ required: true, whitespace: true, max: 30 }]}><Input maxLength={30} /></Form.Item>
          <Form.Item name="phone" label={w('phone')} rules={[{ pattern: /^[0-9+\- ]{5,20}$/ }]}><Input maxLength={20} /></Form.Item>
          <Form.Item name="skills" label={w('skills')}><Input maxLength={200} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function TeamsTab({ w, manage }: { w: W; manage: boolean }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const filters = { q: q || undefined };
  const { list, page, pageSize, set, reset } = useList<Team>('/volunteer-teams', filters);
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await apiRequest('POST', '/volunteer-teams', { body: { regionId: Number(v.regionId), name: v.name, kind: v.kind, leaderName: v.leaderName || undefined, description: v.description || undefined } });
      message.success(w('saved'));
      setCreating(false);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); reset(); }} style={{ width: 220 }} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/volunteer-teams/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ regionId: homeNode(me), kind: 'general' }); setCreating(true); }}>{w('newTeam')}</Button>}
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }} pagination={pager(w, list.data?.total, page, pageSize, set)}
        columns={[
          { title: w('teamName'), dataIndex: 'name' },
          { title: w('kind'), dataIndex: 'kind', width: 110, render: (k: string) => w(`kind.${k}`) },
          { title: w('leader'), dataIndex: 'leaderName', width: 100 },
          { title: w('members'), dataIndex: 'members', width: 80 },
          { title: w('region'), dataIndex: 'regionName', width: 120 },
          { title: w('description'), dataIndex: 'description' },
        ]} />
      <Modal open={creating} title={w('newTeam')} onOk={submit} onCancel={() => setCreating(false)} okText={w('ok')} cancelText={w('cancel')} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="regionId" label={w('region')} rules={[{ required: true, message: w('chooseRegion') }]}><RegionTreeSelect maxLevel="community" placeholder={w('chooseRegion')} /></Form.Item>
          <Form.Item name="name" label={w('teamName')} rules={[{ required: true, whitespace: true, max: 60 }]}><Input maxLength={60} /></Form.Item>
          <Form.Item name="kind" label={w('kind')}><Select options={['general', 'running', 'mediation', 'patrol', 'care'].map((k) => ({ value: k, label: w(`kind.${k}`) }))} /></Form.Item>
          <Form.Item name="leaderName" label={w('leader')}><Input maxLength={30} /></Form.Item>
          <Form.Item name="description" label={w('description')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** 志愿服务: activities with sign-up and check-in, volunteers with their service record, and teams. */
export default function VolunteersPage() {
  const w = useVolunteerWords();
  const { me } = useAuth();
  const probe = useAsync(() => apiRequest<Paged<Team>>('GET', '/volunteer-teams', { query: { pageSize: 1 } }), []);
  if (isForbidden(probe.error)) return <Forbidden error={probe.error} />;
  const manage = Boolean(me?.abilities.manageVolunteers);
  return (
    <div style={{ padding: 16 }}>
      <Typography.Title level={4}>{w('title')}</Typography.Title>
      <Tabs destroyOnHidden items={[
        { key: 'activities', label: w('activities'), children: <ActivitiesTab w={w} manage={manage} /> },
        { key: 'volunteers', label: w('volunteers'), children: <VolunteersTab w={w} manage={manage} /> },
        { key: 'teams', label: w('teams'), children: <TeamsTab w={w} manage={manage} /> },
      ]} />
    </div>
  );
}
