import { useState } from 'react';
import { App as AntApp, Button, Checkbox, Empty, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useGridWords } from './messages.ts';

type W = ReturnType<typeof useGridWords>;

interface Visit {
  id: number;
  gridName: string | null;
  buildingName: string | null;
  doorNumber: string | null;
  careResidentName: string | null;
  visitorName: string | null;
  visitedAt: string;
  purpose: string;
  collected: { populationChange?: { kind: string; count?: number }; needs?: string[]; hazards?: Array<{ kind: string; description: string }>; notes?: string };
  notes: string;
  needItemId: number | null;
}
interface Dispute {
  id: number;
  gridName: string | null;
  title: string;
  description: string;
  category: string;
  parties: string | null;
  status: 'found' | 'mediating' | 'resolved' | 'escalated';
  foundAt: string;
  mediator: string | null;
  result: string | null;
  caseId: number | null;
  caseNumber: string | null;
  version: number;
  allowedActions: Array<'mediate' | 'resolve' | 'escalate'>;
}
interface CareSubject {
  id: number;
  residentName: string | null;
  householdId: number | null;
  address: string | null;
  gridName: string | null;
  careGroup: string;
  visitEveryDays: number;
  responsibleName: string | null;
  lastVisitAt: string | null;
  nextVisitDue: string;
  overdue: boolean;
  daysOverdue: number;
  active: boolean;
}
interface Counts {
  node: { found: number; resolved: number; escalated: number; resolutionRate: number | null };
}

const purposes = ['routine', 'care', 'dispute', 'policy', 'other'] as const;
const purposeWord = (w: W, p: string) => (p === 'care' ? w('careVisit') : w(p));
const categories = ['neighbour', 'family', 'property', 'labour', 'land', 'other'] as const;
const statuses = ['found', 'mediating', 'resolved', 'escalated'] as const;
const statusColor: Record<string, string> = { found: 'orange', mediating: 'blue', resolved: 'green', escalated: 'red' };
const careGroups = ['elderly_living_alone', 'disabled', 'left_behind_child', 'low_income', 'veteran', 'other'] as const;
const changes = ['none', 'moved_in', 'moved_out', 'birth', 'death', 'other'] as const;
const hazardKinds = ['fire', 'gas', 'electric', 'structure', 'sanitation', 'security', 'other'] as const;

/** A datetime-local value in the browser's clock → ISO. */
const localToIso = (value: string) => new Date(value).toISOString();
const nowLocal = () => {
  const d = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export default function GridWorkPage() {
  const w = useGridWords();
  const { me } = useAuth();
  const [tab, setTab] = useState('visits');
  const [visitFor, setVisitFor] = useState<{ householdId?: number; careSubjectId?: number } | null>(null);
  const [reload, setReload] = useState(0);
  if (!me?.abilities.viewGridWork) return <Forbidden />;
  return (
    <div data-testid="grid-work-page">
      <Typography.Title level={4}>{w('title')}</Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'visits', label: w('visits'), children: <Visits w={w} canRecord={me.abilities.recordGridWork} onRecord={() => setVisitFor({})} reload={reload} /> },
          { key: 'disputes', label: w('disputes'), children: <Disputes w={w} canRecord={me.abilities.recordGridWork} /> },
          { key: 'care', label: w('care'), children: <CareList w={w} canRecord={me.abilities.recordGridWork} onVisit={(s) => setVisitFor({ householdId: s.householdId ?? undefined, careSubjectId: s.id })} reload={reload} /> },
        ]}
      />
      {visitFor && (
        <VisitForm
          w={w}
          initial={visitFor}
          onClose={(saved) => {
            setVisitFor(null);
            if (saved) setReload((n) => n + 1);
          }}
        />
      )}
    </div>
  );
}

function useList<T>(path: string, query: Record<string, string | number | boolean | undefined>, deps: unknown[]) {
  return useAsync(() => apiRequest<Paged<T>>('GET', path, { query }), deps);
}

function ExportButton({ w, path, query }: { w: W; path: string; query: Record<string, string | number | boolean | undefined> }) {
  const { page: _p, pageSize: _s, ...filters } = query;
  return (
    <Button icon={<FileExcelOutlined />} href={`${path}${qs(filters)}`} download>
      {w('export')}
    </Button>
  );
}

function Visits({ w, canRecord, onRecord, reload }: { w: W; canRecord: boolean; onRecord: () => void; reload: number }) {
  const [q, setQ] = useState('');
  const [mine, setMine] = useState(false);
  const [purpose, setPurpose] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const query = { q: q || undefined, mine: mine || undefined, purpose, page, pageSize: 20 };
  const list = useList<Visit>('/grid-work/visits', query, [q, mine, purpose, page, reload]);
  if (list.error && isForbidden(list.error)) return <Forbidden error={list.error} />;
  const columns: TableColumnsType<Visit> = [
    { title: w('visitedAt'), dataIndex: 'visitedAt', width: 170, render: (v: string) => formatTime(v) },
    { title: w('grid'), dataIndex: 'gridName' },
    { title: w('household'), render: (_, v) => `${v.buildingName ?? ''} ${v.doorNumber ?? ''}` },
    { title: w('purpose'), dataIndex: 'purpose', render: (p: string) => purposeWord(w, p) },
    { title: w('careSubject'), dataIndex: 'careResidentName' },
    {
      title: w('collected'),
      render: (_, v) => (
        <Space size={4} wrap>
          {v.collected.populationChange && v.collected.populationChange.kind !== 'none' && <Tag>{w(v.collected.populationChange.kind)}</Tag>}
          {(v.collected.needs ?? []).map((n) => (
            <Tag key={n} color="blue">
              {n}
            </Tag>
          ))}
          {(v.collected.hazards ?? []).map((h, i) => (
            <Tag key={i} color="red">
              {w(h.kind)}：{h.description}
            </Tag>
          ))}
          {v.needItemId && <Tag color="green">{w('needRaised', { id: v.needItemId })}</Tag>}
        </Space>
      ),
    },
    { title: w('visitor'), dataIndex: 'visitorName' },
  ];
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 200 }} />
        <Select allowClear placeholder={w('anyPurpose')} value={purpose} onChange={(v) => { setPurpose(v); setPage(1); }} style={{ width: 140 }} options={purposes.map((p) => ({ value: p, label: purposeWord(w, p) }))} />
        <Checkbox checked={mine} onChange={(e) => { setMine(e.target.checked); setPage(1); }}>
          {w('mine')}
        </Checkbox>
        <ExportButton w={w} path="/api/v1/grid-work/visits/export.xlsx" query={query} />
        {canRecord && (
          <Button type="primary" icon={<PlusOutlined />} onClick={onRecord} data-testid="record-visit">
            {w('recordVisit')}
          </Button>
        )}
      </Space>
      <Table
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
      />
    </>
  );
}

function VisitForm({ w, initial, onClose }: { w: W; initial: { householdId?: number; careSubjectId?: number }; onClose: (saved: boolean) => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const [buildingId, setBuildingId] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const households = useAsync(
    () => apiRequest<{ households: Array<{ id: number; doorNumber: string; headName: string | null }> }>('GET', `/buildings/${buildingId}`),
    [buildingId],
    { skip: !buildingId },
  );
  const submit = async () => {
    const v = await form.validateFields();
    const collected: Record<string, unknown> = {};
    if (v.change && v.change !== 'none') collected.populationChange = { kind: v.change, ...(v.changeCount ? { count: v.changeCount } : {}) };
    if (v.needs?.length) collected.needs = v.needs;
    if (v.hazardKind && v.hazardDescription) collected.hazards = [{ kind: v.hazardKind, description: v.hazardDescription }];
    setSaving(true);
    try {
      const result = await apiRequest<{ id: number; needItemId: number | null }>('POST', '/grid-work/visits', {
        body: {
          householdId: initial.householdId ?? v.householdId,
          visitedAt: localToIso(v.visitedAt),
          purpose: v.purpose,
          collected,
          notes: v.notes ?? '',
          ...(initial.careSubjectId ? { careSubjectId: initial.careSubjectId } : {}),
          ...(v.needTitle ? { raiseNeed: { title: v.needTitle } } : {}),
        },
      });
      message.success(result.needItemId ? w('needRaised', { id: result.needItemId }) : w('saved'));
      onClose(true);
    } catch (error) {
      toastError(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={w('recordVisit')} onCancel={() => onClose(false)} onOk={submit} confirmLoading={saving} okText={w('ok')} cancelText={w('cancel')} width={620}>
      <Form form={form} layout="vertical" initialValues={{ visitedAt: nowLocal(), purpose: initial.careSubjectId ? 'care' : 'routine', change: 'none' }} data-testid="visit-form">
        {!initial.householdId && (
          <>
            <Form.Item label={w('building')} required>
              <RegionTreeSelect value={buildingId ?? null} onChange={(id) => { setBuildingId(id); form.setFieldValue('householdId', undefined); }} selectableLevel="building" maxLevel="building" placeholder={w('chooseBuilding')} />
            </Form.Item>
            <Form.Item name="householdId" label={w('household')} rules={[{ required: true }]}>
              <Select
                placeholder={w('chooseHousehold')}
                loading={households.loading}
                options={(households.data?.households ?? []).map((h) => ({ value: h.id, label: `${h.doorNumber}${h.headName ? ' · ' + h.headName : ''}` }))}
              />
            </Form.Item>
          </>
        )}
        <Space wrap>
          <Form.Item name="visitedAt" label={w('visitedAt')} rules={[{ required: true }]}>
            <Input type="datetime-local" max={nowLocal()} />
          </Form.Item>
          <Form.Item name="purpose" label={w('purpose')}>
            <Select style={{ width: 140 }} options={purposes.map((p) => ({ value: p, label: purposeWord(w, p) }))} />
          </Form.Item>
          <Form.Item name="change" label={w('populationChange')}>
            <Select style={{ width: 120 }} options={changes.map((c) => ({ value: c, label: w(c) }))} />
          </Form.Item>
          <Form.Item name="changeCount" label={w('count')}>
            <InputNumber min={0} max={50} />
          </Form.Item>
        </Space>
        <Form.Item name="needs" label={w('needs')} help={w('needsHelp')}>
          <Select mode="tags" open={false} tokenSeparators={['\n']} maxCount={10} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="hazardKind" label={w('hazardKind')}>
            <Select allowClear style={{ width: 140 }} options={hazardKinds.map((k) => ({ value: k, label: w(k) }))} />
          </Form.Item>
          <Form.Item name="hazardDescription" label={w('hazardDescription')}>
            <Input maxLength={200} style={{ width: 320 }} />
          </Form.Item>
        </Space>
        <Form.Item name="notes" label={w('notes')}>
          <Input.TextArea maxLength={2000} rows={2} />
        </Form.Item>
        <Form.Item name="needTitle" label={w('raiseNeed')}>
          <Input maxLength={100} placeholder={w('needTitle')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Disputes({ w, canRecord }: { w: W; canRecord: boolean }) {
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [category, setCategory] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [registering, setRegistering] = useState(false);
  const [acting, setActing] = useState<{ dispute: Dispute; action: 'mediate' | 'resolve' | 'escalate' } | null>(null);
  const [form] = Form.useForm();
  const [actionForm] = Form.useForm();
  const query = { q: q || undefined, status, category, page, pageSize: 20 };
  const list = useList<Dispute>('/grid-work/disputes', query, [q, status, category, page]);
  const counts = useAsync(() => apiRequest<Counts>('GET', '/grid-work/disputes/counts'), [list.data]);
  if (list.error && isForbidden(list.error)) return <Forbidden error={list.error} />;

  const register = async () => {
    const v = await form.validateFields();
    try {
      await apiRequest('POST', '/grid-work/disputes', { body: { ...v, gridId: Number(v.gridId) } });
      message.success(w('saved'));
      setRegistering(false);
      form.resetFields();
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const act = async () => {
    if (!acting) return;
    const v = await actionForm.validateFields();
    try {
      const result = await apiRequest<Dispute>('POST', `/grid-work/disputes/${acting.dispute.id}/actions`, { body: { action: acting.action, version: acting.dispute.version, ...v } });
      message.success(result.caseNumber ? `${w('caseNumber')} ${result.caseNumber}` : w('saved'));
      setActing(null);
      actionForm.resetFields();
      list.reload();
    } catch (error) {
      toastError(error);
      list.reload();
    }
  };
  const columns: TableColumnsType<Dispute> = [
    { title: w('foundAt'), dataIndex: 'foundAt', width: 170, render: (v: string) => formatTime(v) },
    { title: w('grid'), dataIndex: 'gridName' },
    { title: w('disputeTitle'), dataIndex: 'title' },
    { title: w('category'), dataIndex: 'category', render: (c: string) => w(c) },
    { title: w('parties'), dataIndex: 'parties' },
    { title: w('status'), dataIndex: 'status', render: (s: string) => <Tag color={statusColor[s]}>{w(s)}</Tag> },
    { title: w('result'), render: (_, d) => d.result ?? (d.caseNumber ? `${w('caseNumber')} ${d.caseNumber}` : d.mediator ? `${w('mediator')}：${d.mediator}` : '') },
    {
      title: w('actions'),
      render: (_, d) =>
        canRecord && (
          <Space size={4}>
            {d.allowedActions.map((action) => (
              <Button key={action} size="small" danger={action === 'escalate'} onClick={() => setActing({ dispute: d, action })} data-testid={`dispute-${action}-${d.id}`}>
                {w(action)}
              </Button>
            ))}
          </Space>
        ),
    },
  ];
  const c = counts.data?.node;
  return (
    <>
      {c && (
        <Space style={{ marginBottom: 8 }} data-testid="dispute-counts">
          <Tag>{w('countsFound', { n: c.found })}</Tag>
          <Tag color="green">{w('countsResolved', { n: c.resolved })}</Tag>
          <Tag color="red">{w('countsEscalated', { n: c.escalated })}</Tag>
          <Tag color="blue">{w('countsRate', { r: c.resolutionRate === null ? '—' : `${(c.resolutionRate * 100).toFixed(1)}%` })}</Tag>
        </Space>
      )}
      <Space wrap style={{ marginBottom: 12, display: 'flex' }}>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 200 }} />
        <Select allowClear placeholder={w('anyStatus')} value={status} onChange={(v) => { setStatus(v); setPage(1); }} style={{ width: 120 }} options={statuses.map((s) => ({ value: s, label: w(s) }))} />
        <Select allowClear placeholder={w('category')} value={category} onChange={(v) => { setCategory(v); setPage(1); }} style={{ width: 120 }} options={categories.map((s) => ({ value: s, label: w(s) }))} />
        <ExportButton w={w} path="/api/v1/grid-work/disputes/export.xlsx" query={query} />
        {canRecord && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="register-dispute">
            {w('register')}
          </Button>
        )}
      </Space>
      <Table
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
      />
      <Modal open={registering} title={w('register')} onCancel={() => setRegistering(false)} onOk={register} okText={w('ok')} cancelText={w('cancel')}>
        <Form form={form} layout="vertical" initialValues={{ category: 'neighbour' }}>
          <Form.Item name="gridId" label={w('grid')} rules={[{ required: true }]}>
            <RegionTreeSelect selectableLevel="grid" maxLevel="grid" placeholder={w('chooseGrid')} />
          </Form.Item>
          <Form.Item name="title" label={w('disputeTitle')} rules={[{ required: true, min: 2, max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="category" label={w('category')}>
            <Select options={categories.map((s) => ({ value: s, label: w(s) }))} />
          </Form.Item>
          <Form.Item name="parties" label={w('parties')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="description" label={w('description')}>
            <Input.TextArea maxLength={2000} rows={3} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={acting !== null} title={acting ? `${w(acting.action)} · ${acting.dispute.title}` : ''} onCancel={() => setActing(null)} onOk={act} okText={w('ok')} cancelText={w('cancel')} okButtonProps={{ danger: acting?.action === 'escalate', 'data-testid': 'dispute-action-ok' } as never}>
        <Form form={actionForm} layout="vertical">
          {acting?.action === 'mediate' && (
            <Form.Item name="mediator" label={w('mediator')}>
              <Input maxLength={60} />
            </Form.Item>
          )}
          {acting?.action === 'resolve' && (
            <Form.Item name="result" label={w('result')} rules={[{ required: true, message: w('resultRequired') }]}>
              <Input.TextArea maxLength={2000} rows={3} />
            </Form.Item>
          )}
          {acting?.action === 'escalate' && (
            <Form.Item name="note" label={w('escalateNote')}>
              <Input.TextArea maxLength={1000} rows={3} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}

function CareList({ w, canRecord, onVisit, reload }: { w: W; canRecord: boolean; onVisit: (s: CareSubject) => void; reload: number }) {
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [careGroup, setCareGroup] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const [changing, setChanging] = useState<CareSubject | null>(null);
  const [form] = Form.useForm();
  const [everyForm] = Form.useForm();
  const query = { q: q || undefined, careGroup, overdue: overdue || undefined, page, pageSize: 20 };
  const list = useList<CareSubject>('/grid-work/care-subjects', query, [q, careGroup, overdue, page, reload]);
  if (list.error && isForbidden(list.error)) return <Forbidden error={list.error} />;

  const patch = async (id: number, body: Record<string, unknown>) => {
    try {
      await apiRequest('PATCH', `/grid-work/care-subjects/${id}`, { body });
      message.success(w('saved'));
      list.reload();
      return true;
    } catch (error) {
      toastError(error);
      return false;
    }
  };
  const add = async () => {
    const v = await form.validateFields();
    try {
      await apiRequest('POST', '/grid-work/care-subjects', { body: v });
      message.success(w('saved'));
      setAdding(false);
      form.resetFields();
      list.reload();
    } catch (error) {
      toastError(error);
    }
  };
  const columns: TableColumnsType<CareSubject> = [
    { title: w('resident'), dataIndex: 'residentName' },
    { title: w('careGroup'), dataIndex: 'careGroup', render: (g: string) => w(g) },
    { title: w('grid'), dataIndex: 'gridName' },
    { title: w('address'), dataIndex: 'address' },
    { title: w('every'), dataIndex: 'visitEveryDays', render: (n: number) => w('everyDays', { n }) },
    { title: w('responsible'), dataIndex: 'responsibleName' },
    { title: w('lastVisit'), dataIndex: 'lastVisitAt', render: (v: string | null) => (v ? formatTime(v) : '—') },
    {
      title: w('nextDue'),
      dataIndex: 'nextVisitDue',
      render: (v: string, s) => (
        <Space size={4}>
          {v}
          {s.overdue && <Tag color="red">{w('overdueDays', { n: s.daysOverdue })}</Tag>}
        </Space>
      ),
    },
    {
      title: w('actions'),
      render: (_, s) => (
        <Space size={4}>
          {canRecord && s.householdId && (
            <Button size="small" type="primary" ghost onClick={() => onVisit(s)} data-testid={`care-visit-${s.id}`}>
              {w('recordVisit')}
            </Button>
          )}
          <Button size="small" onClick={() => { setChanging(s); everyForm.setFieldsValue({ visitEveryDays: s.visitEveryDays }); }}>
            {w('changeEvery')}
          </Button>
          <Popconfirm title={w('removeConfirm')} onConfirm={() => patch(s.id, { active: false })} okText={w('ok')} cancelText={w('cancel')}>
            <Button size="small" danger>
              {w('remove')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 200 }} />
        <Select allowClear placeholder={w('anyGroup')} value={careGroup} onChange={(v) => { setCareGroup(v); setPage(1); }} style={{ width: 140 }} options={careGroups.map((g) => ({ value: g, label: w(g) }))} />
        <Space size={4}>
          <Switch checked={overdue} onChange={(v) => { setOverdue(v); setPage(1); }} data-testid="care-overdue" />
          {w('overdueOnly')}
        </Space>
        <ExportButton w={w} path="/api/v1/grid-work/care-subjects/export.xlsx" query={query} />
        <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
          {w('addSubject')}
        </Button>
      </Space>
      <Table
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        onRow={(s) => (s.overdue ? { style: { background: '#fff1f0' }, 'data-overdue': 'true' } as never : {})}
        locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
      />
      <Modal open={adding} title={w('addSubject')} onCancel={() => setAdding(false)} onOk={add} okText={w('ok')} cancelText={w('cancel')}>
        <Form form={form} layout="vertical" initialValues={{ careGroup: 'elderly_living_alone', visitEveryDays: 7 }}>
          <Form.Item name="residentId" label={w('residentId')} rules={[{ required: true }]}>
            <InputNumber min={1} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="careGroup" label={w('careGroup')}>
            <Select options={careGroups.map((g) => ({ value: g, label: w(g) }))} />
          </Form.Item>
          <Form.Item name="visitEveryDays" label={w('every')}>
            <InputNumber min={1} max={366} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={changing !== null}
        title={w('changeEvery')}
        onCancel={() => setChanging(null)}
        onOk={async () => {
          const v = await everyForm.validateFields();
          if (changing && (await patch(changing.id, { visitEveryDays: v.visitEveryDays }))) setChanging(null);
        }}
        okText={w('ok')}
        cancelText={w('cancel')}
      >
        <Form form={everyForm} layout="vertical">
          <Form.Item name="visitEveryDays" label={w('every')} rules={[{ required: true }]}>
            <InputNumber min={1} max={366} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
