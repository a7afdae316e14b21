import { useState } from 'react';
import { App as AntApp, Button, Drawer, Empty, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { BellOutlined, FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Me, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useDualWords } from './messages.ts';

type W = ReturnType<typeof useDualWords>;
interface Post {
  id: number;
  communityName: string;
  title: string;
  description: string;
  category: string | null;
  slots: number;
  claimed: number;
  startsOn: string | null;
  endsOn: string | null;
  status: 'open' | 'closed';
  myClaimId: number | null;
  abilities: { manage: boolean; claim: boolean };
}
interface Claim {
  id: number;
  postId: number;
  postTitle: string;
  communityName: string;
  claimantName: string;
  status: 'claimed' | 'withdrawn';
  claimedAt: string;
  sessions: number;
  hours: number;
  mine: boolean;
  abilities: { withdraw: boolean; logHours: boolean };
}
interface Registration {
  id: number;
  kind: 'member' | 'organization';
  communityName: string;
  subjectName: string;
  basis: string;
  status: string;
  registeredAt: string;
  endedAt: string | null;
  activeClaims: number;
  abilities: { end: boolean };
}
interface LedgerRow {
  id: number;
  kind: 'member' | 'organization';
  communityName: string;
  subjectName: string;
  basis: string;
  status: string;
  registeredAt: string;
  posts: string;
  postsClaimed: number;
  sessions: number;
  hours: number;
}
type Ledger = Paged<LedgerRow> & { period: { label: string }; totals: { sessions: number; hours: number } };
interface Reminder {
  registrationId: number;
  communityName: string;
  memberName: string;
  registeredAt: string;
  hasAccount: boolean;
  remindedAt: string | null;
}
interface Entries {
  registration: Registration;
  period: { label: string };
  entries: Array<{ id: number; sourceKind: string; postTitle: string | null; servedOn: string; hours: number; description: string }>;
  totalHours: number;
}

const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
/** The community of the user's community-level role: where a dispatcher publishes without choosing. */
const homeCommunity = (me: Me | null) => me?.roles.find((r) => r.regionLevel === 'community' && r.source === 'assignment')?.regionNodeId ?? undefined;
const statusTag = (w: W, status: string) => <Tag color={status === 'open' || status === 'claimed' || status === 'active' ? 'green' : 'default'}>{w(`status.${status}`)}</Tag>;
const pager = (w: W, data: Paged<unknown> | undefined, page: number, pageSize: number, set: (p: number, s: number) => void) => ({
  current: page, pageSize, total: data?.total ?? 0, showSizeChanger: true, showTotal: (n: number) => w('total', { n }), onChange: set,
});

function PostsTab({ w, manage }: { w: W; manage: boolean }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>('open');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const filters = { q: q || undefined, status };
  const list = useAsync(() => apiRequest<Paged<Post>>('GET', '/dual-reporting/posts', { query: { ...filters, page, pageSize } }), [JSON.stringify(filters), page, pageSize]);
  const act = async (path: string, body?: unknown) => {
    try {
      await apiRequest('POST', path, { body });
      message.success(w('saved'));
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const columns: TableColumnsType<Post> = [
    { title: w('postTitle'), dataIndex: 'title', render: (title: string, p) => <Space direction="vertical" size={0}><Typography.Text strong data-testid="dr-post-title">{title}</Typography.Text><Typography.Text type="secondary">{p.description}</Typography.Text></Space> },
    { title: w('category'), dataIndex: 'category', width: 100 },
    { title: w('community'), dataIndex: 'communityName', width: 120 },
    { title: w('claimed'), key: 'claimed', width: 90, render: (_, p) => `${p.claimed} / ${p.slots}` },
    { title: w('status'), dataIndex: 'status', width: 90, render: (s: string) => statusTag(w, s) },
    {
      title: w('actions'),
      key: 'actions',
      width: 200,
      render: (_, p) => (
        <Space>
          {p.abilities.claim && <Button type="primary" size="small" data-testid={`dr-claim-${p.id}`} onClick={() => act(`/dual-reporting/posts/${p.id}/claims`, {})}>{w('claim')}</Button>}
          {p.myClaimId !== null && <Tag color="blue" data-testid={`dr-claimed-${p.id}`}>{w('claimedDone')}</Tag>}
          {p.abilities.manage && p.status === 'open' && <Button size="small" onClick={() => act(`/dual-reporting/posts/${p.id}/close`)}>{w('close')}</Button>}
          {p.abilities.manage && p.status === 'closed' && <Button size="small" onClick={() => act(`/dual-reporting/posts/${p.id}/reopen`)}>{w('reopen')}</Button>}
        </Space>
      ),
    },
  ];
  const submit = async () => {
    const values = await form.validateFields();
    try {
      await apiRequest('POST', '/dual-reporting/posts', { body: { ...values, communityId: Number(values.communityId), description: values.description || undefined, category: values.category || undefined } });
      message.success(w('saved'));
      setCreating(false);
      form.resetFields();
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 220 }} />
        <Select allowClear value={status} onChange={(v) => { setStatus(v); setPage(1); }} style={{ width: 120 }} options={['open', 'closed'].map((s) => ({ value: s, label: w(`status.${s}`) }))} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/dual-reporting/posts/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} data-testid="dr-new-post" onClick={() => { form.setFieldsValue({ communityId: homeCommunity(me), slots: 2 }); setCreating(true); }}>{w('newPost')}</Button>}
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={pager(w, list.data, page, pageSize, (p, s) => { setPage(p); setPageSize(s); })} />
      <Modal open={creating} title={w('newPost')} onOk={submit} onCancel={() => setCreating(false)} okText={w('ok')} cancelText={w('cancel')} okButtonProps={{ 'data-testid': 'dr-post-submit' } as never} destroyOnHidden>
        <Form form={form} name="dr-post" layout="vertical">
          <Form.Item name="communityId" label={w('community')} rules={[{ required: true, message: w('chooseCommunity') }]}>
            <RegionTreeSelect selectableLevel="community" placeholder={w('chooseCommunity')} />
          </Form.Item>
          <Form.Item name="title" label={w('postTitle')} rules={[{ required: true, whitespace: true, max: 100 }]}><Input data-testid="dr-post-title-input" maxLength={100} /></Form.Item>
          <Form.Item name="description" label={w('description')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
          <Space>
            <Form.Item name="category" label={w('category')}><Input maxLength={40} /></Form.Item>
            <Form.Item name="slots" label={w('slots')} rules={[{ required: true }]}><InputNumber min={1} max={1000} precision={0} data-testid="dr-post-slots" /></Form.Item>
          </Space>
        </Form>
      </Modal>
    </>
  );
}

function ClaimsTab({ w, reporter }: { w: W; reporter: boolean }) {
  const { message } = AntApp.useApp();
  const [mine, setMine] = useState(reporter);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [logging, setLogging] = useState<Claim | null>(null);
  const [form] = Form.useForm();
  const filters = { q: q || undefined, mine: mine || undefined };
  const list = useAsync(() => apiRequest<Paged<Claim>>('GET', '/dual-reporting/claims', { query: { ...filters, page, pageSize } }), [JSON.stringify(filters), page, pageSize]);
  const withdraw = async (claim: Claim) => {
    try {
      await apiRequest('POST', `/dual-reporting/claims/${claim.id}/withdraw`);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const submit = async () => {
    const values = await form.validateFields();
    try {
      await apiRequest('POST', `/dual-reporting/claims/${logging!.id}/hours`, { body: { servedOn: values.servedOn, hours: values.hours, description: values.description || undefined } });
      message.success(w('saved'));
      setLogging(null);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const columns: TableColumnsType<Claim> = [
    { title: w('post'), dataIndex: 'postTitle' },
    { title: w('claimant'), dataIndex: 'claimantName', width: 140 },
    { title: w('community'), dataIndex: 'communityName', width: 120 },
    { title: w('claimedAt'), dataIndex: 'claimedAt', width: 160, render: (v: string) => formatTime(v) },
    { title: w('sessions'), dataIndex: 'sessions', width: 90 },
    { title: w('totalHours'), dataIndex: 'hours', width: 110, render: (v: number) => <span data-testid="dr-claim-hours">{v}</span> },
    { title: w('status'), dataIndex: 'status', width: 90, render: (s: string) => statusTag(w, s) },
    {
      title: w('actions'),
      key: 'actions',
      width: 180,
      render: (_, c) => (
        <Space>
          {c.abilities.logHours && <Button size="small" type="primary" data-testid={`dr-log-${c.postId}`} onClick={() => { form.setFieldsValue({ servedOn: chinaToday(), hours: undefined, description: '' }); setLogging(c); }}>{w('logHours')}</Button>}
          {c.abilities.withdraw && <Button size="small" onClick={() => withdraw(c)}>{w('withdraw')}</Button>}
        </Space>
      ),
    },
  ];
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 220 }} />
        <Space><Switch checked={mine} onChange={(v) => { setMine(v); setPage(1); }} />{w('mine')}</Space>
        <Button icon={<FileExcelOutlined />} href={`/api/v1/dual-reporting/claims/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={pager(w, list.data, page, pageSize, (p, s) => { setPage(p); setPageSize(s); })} />
      <Modal open={logging !== null} title={`${w('logHours')} · ${logging?.postTitle ?? ''}`} onOk={submit} onCancel={() => setLogging(null)} okText={w('ok')} cancelText={w('cancel')} okButtonProps={{ 'data-testid': 'dr-hours-submit' } as never} destroyOnHidden>
        <Form form={form} name="dr-hours" layout="vertical">
          <Form.Item name="servedOn" label={w('servedOn')} rules={[{ required: true }]}><Input type="date" max={chinaToday()} data-testid="dr-hours-date" /></Form.Item>
          <Form.Item name="hours" label={w('hours')} rules={[{ required: true, type: 'number', min: 0.01, max: 24, message: w('hoursRule') }]}><InputNumber min={0.01} max={24} step={0.5} precision={2} data-testid="dr-hours-input" /></Form.Item>
          <Form.Item name="description" label={w('content')}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function RegistrationsTab({ w, manage }: { w: W; manage: boolean }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [kind, setKind] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>('active');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const filters = { q: q || undefined, kind, status };
  const list = useAsync(() => apiRequest<Paged<Registration>>('GET', '/dual-reporting/registrations', { query: { ...filters, page, pageSize } }), [JSON.stringify(filters), page, pageSize]);
  const end = (r: Registration) =>
    Modal.confirm({
      title: `${w('end')} · ${r.subjectName}`,
      content: <Input type="date" id="dr-ended-on" defaultValue={chinaToday()} max={chinaToday()} />,
      onOk: async () => {
        const endedOn = (document.getElementById('dr-ended-on') as HTMLInputElement | null)?.value || chinaToday();
        try {
          await apiRequest('POST', `/dual-reporting/registrations/${r.id}/end`, { body: { endedOn } });
          list.reload();
        } catch (error) {
          toastError(error);
        }
      },
    });
  const submit = async () => {
    const values = await form.validateFields();
    try {
      const body = { communityId: Number(values.communityId), kind: values.kind, basis: values.basis, ...(values.kind === 'member' ? { partyMemberId: values.subjectId } : { unitId: values.subjectId }) };
      await apiRequest('POST', '/dual-reporting/registrations', { body });
      message.success(w('saved'));
      setCreating(false);
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const columns: TableColumnsType<Registration> = [
    { title: w('subject'), dataIndex: 'subjectName' },
    { title: w('kind'), dataIndex: 'kind', width: 110, render: (k: string) => w(`kind.${k}`) },
    { title: w('basis'), dataIndex: 'basis', width: 90, render: (b: string) => w(`basis.${b}`) },
    { title: w('community'), dataIndex: 'communityName', width: 120 },
    { title: w('registeredAt'), dataIndex: 'registeredAt', width: 160, render: (v: string) => formatTime(v) },
    { title: w('claimed'), dataIndex: 'activeClaims', width: 80 },
    { title: w('status'), dataIndex: 'status', width: 90, render: (s: string) => statusTag(w, s) },
    { title: w('actions'), key: 'a', width: 100, render: (_, r) => r.abilities.end && <Button size="small" danger onClick={() => end(r)}>{w('end')}</Button> },
  ];
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 220 }} />
        <Select allowClear placeholder={w('kind')} value={kind} onChange={setKind} style={{ width: 130 }} options={['member', 'organization'].map((k) => ({ value: k, label: w(`kind.${k}`) }))} />
        <Select allowClear value={status} onChange={setStatus} style={{ width: 110 }} options={['active', 'ended'].map((s) => ({ value: s, label: w(`status.${s}`) }))} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/dual-reporting/registrations/export.xlsx${qs(filters)}`} download>{w('export')}</Button>
        {manage && <Button icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ communityId: homeCommunity(me), kind: 'member', basis: 'residence' }); setCreating(true); }}>{w('newRegistration')}</Button>}
      </Space>
      <Table rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={pager(w, list.data, page, pageSize, (p, s) => { setPage(p); setPageSize(s); })} />
      <Modal open={creating} title={w('newRegistration')} onOk={submit} onCancel={() => setCreating(false)} okText={w('ok')} cancelText={w('cancel')} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="communityId" label={w('community')} rules={[{ required: true }]}><RegionTreeSelect selectableLevel="community" placeholder={w('chooseCommunity')} /></Form.Item>
          <Form.Item name="kind" label={w('kind')} rules={[{ required: true }]}><Select options={['member', 'organization'].map((k) => ({ value: k, label: w(`kind.${k}`) }))} /></Form.Item>
          <Form.Item noStyle shouldUpdate>
            {() => <Form.Item name="subjectId" label={form.getFieldValue('kind') === 'organization' ? w('unitId') : w('partyMemberId')} rules={[{ required: true }]}><InputNumber min={1} precision={0} style={{ width: 200 }} /></Form.Item>}
          </Form.Item>
          <Form.Item name="basis" label={w('basis')} rules={[{ required: true }]}><Select options={['residence', 'work'].map((b) => ({ value: b, label: w(`basis.${b}`) }))} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function LedgerTab({ w }: { w: W }) {
  const now = new Date(Date.now() + 8 * 3600_000);
  const [year, setYear] = useState(now.getUTCFullYear());
  const [quarter, setQuarter] = useState<number | undefined>(Math.floor(now.getUTCMonth() / 3) + 1);
  const [kind, setKind] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [drill, setDrill] = useState<LedgerRow | null>(null);
  const filters = { year, quarter, kind, q: q || undefined };
  const ledger = useAsync(() => apiRequest<Ledger>('GET', '/dual-reporting/ledger', { query: { ...filters, page, pageSize } }), [JSON.stringify(filters), page, pageSize]);
  const entries = useAsync(() => apiRequest<Entries>('GET', `/dual-reporting/registrations/${drill!.id}/entries`, { query: { year, quarter } }), [drill?.id, year, quarter], { skip: drill === null });
  const columns: TableColumnsType<LedgerRow> = [
    { title: w('subject'), dataIndex: 'subjectName', render: (name: string, r) => <Button type="link" style={{ padding: 0 }} data-testid="dr-ledger-name" onClick={() => setDrill(r)}>{name}</Button> },
    { title: w('kind'), dataIndex: 'kind', width: 110, render: (k: string) => w(`kind.${k}`) },
    { title: w('community'), dataIndex: 'communityName', width: 120 },
    { title: w('registeredAt'), dataIndex: 'registeredAt', width: 120, render: (v: string) => formatTime(v).slice(0, 10) },
    { title: w('postsClaimed'), dataIndex: 'posts', render: (v: string) => <span data-testid="dr-ledger-posts">{v || '—'}</span> },
    { title: w('sessions'), dataIndex: 'sessions', width: 90 },
    { title: w('totalHours'), dataIndex: 'hours', width: 110, render: (v: number) => <Typography.Text strong data-testid="dr-ledger-hours">{v}</Typography.Text> },
  ];
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Select value={year} onChange={(v) => { setYear(v); setPage(1); }} style={{ width: 100 }} options={[0, 1, 2].map((d) => ({ value: now.getUTCFullYear() - d, label: String(now.getUTCFullYear() - d) }))} />
        <Select value={quarter ?? 0} onChange={(v) => { setQuarter(v || undefined); setPage(1); }} style={{ width: 110 }} options={[{ value: 0, label: w('wholeYear') }, ...[1, 2, 3, 4].map((n) => ({ value: n, label: `Q${n}` }))]} />
        <Select allowClear placeholder={w('kind')} value={kind} onChange={setKind} style={{ width: 130 }} options={['member', 'organization'].map((k) => ({ value: k, label: w(`kind.${k}`) }))} />
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 200 }} />
        <Button icon={<FileExcelOutlined />} href={`/api/v1/dual-reporting/ledger.xlsx${qs(filters)}`} download data-testid="dr-ledger-export">{w('export')}</Button>
        {ledger.data && <Typography.Text type="secondary">{ledger.data.period.label} · {w('sessions')} {ledger.data.totals.sessions} · {w('totalHours')} {ledger.data.totals.hours}</Typography.Text>}
      </Space>
      <Table rowKey="id" size="middle" loading={ledger.loading} dataSource={ledger.data?.items ?? []} columns={columns} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={pager(w, ledger.data, page, pageSize, (p, s) => { setPage(p); setPageSize(s); })} />
      <Drawer open={drill !== null} width={560} title={`${drill?.subjectName ?? ''} · ${w('entries')}`} onClose={() => setDrill(null)}>
        {entries.data && (
          <Table rowKey="id" size="small" pagination={false} dataSource={entries.data.entries} locale={{ emptyText: <Empty description={w('empty')} /> }}
            footer={() => `${entries.data!.period.label} · ${w('totalHours')} ${entries.data!.totalHours}`}
            columns={[
              { title: w('servedOn'), dataIndex: 'servedOn', width: 110 },
              { title: w('post'), dataIndex: 'postTitle', render: (v: string | null) => v ?? '—' },
              { title: w('hours'), dataIndex: 'hours', width: 80 },
              { title: w('content'), dataIndex: 'description' },
            ]} />
        )}
      </Drawer>
    </>
  );
}

function RemindersTab({ w }: { w: W }) {
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [regionId, setRegionId] = useState<string | undefined>(homeCommunity(me) ? String(homeCommunity(me)) : undefined);
  const [page, setPage] = useState(1);
  const list = useAsync(() => apiRequest<Paged<Reminder> & { period: { label: string } }>('GET', '/dual-reporting/reminders', { query: { regionId, page, pageSize: 20 } }), [regionId, page]);
  const send = async () => {
    if (!regionId) return;
    try {
      const result = await apiRequest<{ sent: number; alreadyReminded: number; withoutAccount: number }>('POST', '/dual-reporting/reminders', { body: { regionId: Number(regionId) } });
      message.success(w('remindResult', { sent: result.sent, already: result.alreadyReminded, none: result.withoutAccount }));
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <RegionTreeSelect value={regionId} onChange={(id) => { setRegionId(id); setPage(1); }} maxLevel="community" style={{ width: 220 }} />
        <Button type="primary" icon={<BellOutlined />} disabled={!regionId || !list.data?.total} onClick={send}>{w('remindAll')}</Button>
        {list.data && <Typography.Text type="secondary">{list.data.period.label}</Typography.Text>}
      </Space>
      <Table rowKey="registrationId" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: w('subject'), dataIndex: 'memberName' },
          { title: w('community'), dataIndex: 'communityName', width: 140 },
          { title: w('registeredAt'), dataIndex: 'registeredAt', width: 160, render: (v: string) => formatTime(v) },
          { title: w('hasAccount'), dataIndex: 'hasAccount', width: 90, render: (v: boolean) => (v ? '✓' : '—') },
          { title: w('remindedAt'), dataIndex: 'remindedAt', width: 160, render: (v: string | null) => (v ? formatTime(v) : w('notReminded')) },
        ]} />
    </>
  );
}

/** 双报到: posts to claim, claims with their service log, registrations, the ledger (台账) and reminders. */
export default function DualReportingPage() {
  const w = useDualWords();
  const { me } = useAuth();
  const probe = useAsync(() => apiRequest<Paged<Post>>('GET', '/dual-reporting/posts', { query: { pageSize: 1 } }), []);
  if (isForbidden(probe.error)) return <Forbidden error={probe.error} />;
  const manage = Boolean(me?.abilities.manageDualReporting);
  const reporter = Boolean(me?.abilities.claimPosts);
  const items = [
    { key: 'posts', label: w('posts'), children: <PostsTab w={w} manage={manage} /> },
    { key: 'claims', label: w('claims'), children: <ClaimsTab w={w} reporter={reporter && !manage} /> },
    { key: 'registrations', label: w('registrations'), children: <RegistrationsTab w={w} manage={manage} /> },
    { key: 'ledger', label: w('ledger'), children: <LedgerTab w={w} /> },
    ...(manage ? [{ key: 'reminders', label: w('reminders'), children: <RemindersTab w={w} /> }] : []),
  ];
  return (
    <div style={{ padding: 16 }}>
      <Typography.Title level={4}>{w('title')}</Typography.Title>
      <Tabs items={items} destroyOnHidden data-testid="dr-tabs" />
    </div>
  );
}
