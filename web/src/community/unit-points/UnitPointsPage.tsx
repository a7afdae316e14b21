import { useEffect, useState } from 'react';
import { App as AntApp, Alert, Button, Drawer, Empty, Form, Input, InputNumber, Modal, Pagination, Segmented, Select, Space, Statistic, Switch, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, SettingOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { usePointWords } from './messages.ts';

type Standing = 'restricted' | 'normal' | 'honoured';
interface Balance {
  unitId: number;
  unitName: string;
  unitKind: string;
  communityId: number;
  communityName: string;
  balance: number;
  earned: number;
  deducted: number;
  entryCount: number;
  lastEntryAt: string | null;
  bookingMinimum: number;
  honourThreshold: number;
  standing: Standing;
  canAdjust: boolean;
}
interface Entry {
  id: number;
  event: string;
  sourceKind: string;
  sourceId: number | null;
  points: number;
  note: string | null;
  createdByName: string | null;
  createdAt: string;
}
type Ledger = Paged<Entry> & { unit: { id: number; name: string }; community: { id: number; name: string }; balance: number; standing: Standing; canAdjust: boolean; settings: { bookingMinimum: number; honourThreshold: number } };
interface Settings {
  community: { id: number; name: string };
  settings: { basePoints: number; bookingMinimum: number; honourThreshold: number };
  rules: Array<{ event: string; points: number; active: boolean; isDefault: boolean }>;
  abilities: { configure: boolean };
}

const standingColor: Record<Standing, string> = { restricted: 'red', normal: 'blue', honoured: 'gold' };

/** 单位积分: balances with standing, the honours list, a unit's ledger, manual adjustments and the community's rules. */
export default function UnitPointsPage() {
  const w = usePointWords();
  const { me } = useAuth();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const [standing, setStanding] = useState<Standing | undefined>();
  const [communityId, setCommunityId] = useState<string | undefined>();
  const [ledgerOf, setLedgerOf] = useState<Balance | null>(null);
  const [adjusting, setAdjusting] = useState<{ unitId: number; unitName: string; communityId: number } | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const filters = { q: q || undefined, standing, communityId };
  const list = useAsync(() => apiRequest<Paged<Balance>>('GET', '/unit-points/balances', { query: { ...filters, page, pageSize } }), [page, pageSize, JSON.stringify(filters)]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  const data = list.data;
  const first = data?.items[0];
  // Rules are the community's: everyone here but a unit's liaison may at least read them.
  const mayConfigure = Boolean(me?.roles.some((r) => r.role !== 'unit_contact'));

  const standingTag = (b: { standing: Standing }) => (
    <Tag color={standingColor[b.standing]} data-testid="points-standing" data-standing={b.standing}>
      {w(`standing.${b.standing}`)}
    </Tag>
  );
  const columns: TableColumnsType<Balance> = [
    { title: w('unit'), dataIndex: 'unitName', render: (name: string, b) => <Button type="link" style={{ padding: 0 }} onClick={() => setLedgerOf(b)}>{name}</Button> },
    { title: w('community'), dataIndex: 'communityName', width: 140 },
    { title: w('balance'), dataIndex: 'balance', width: 90, render: (v: number) => <Typography.Text strong data-testid="points-balance">{v}</Typography.Text> },
    { title: w('standing'), dataIndex: 'standing', width: 90, render: (_, b) => standingTag(b) },
    { title: w('earned'), dataIndex: 'earned', width: 90, render: (v: number) => <Typography.Text type="success">+{v}</Typography.Text> },
    { title: w('deducted'), dataIndex: 'deducted', width: 90, render: (v: number) => <Typography.Text type={v < 0 ? 'danger' : 'secondary'}>{v}</Typography.Text> },
    { title: w('lastEntry'), dataIndex: 'lastEntryAt', width: 150, render: (v: string | null) => (v ? formatTime(v) : '—') },
    {
      title: w('actions'),
      key: 'actions',
      width: 170,
      render: (_, b) => (
        <Space size={4}>
          <Button size="small" onClick={() => setLedgerOf(b)} data-testid="points-ledger-open">{w('ledger')}</Button>
          {b.canAdjust && <Button size="small" onClick={() => setAdjusting({ unitId: b.unitId, unitName: b.unitName, communityId: b.communityId })} data-testid="points-adjust-open">{w('adjust')}</Button>}
        </Space>
      ),
    },
  ];

  return (
    <div className="cg-page" data-testid="unit-points-page">
      <h2 className="cg-page-title">{w('title')}</h2>
      <div className="cg-toolbar">
        <Space wrap>
          <Segmented
            value={standing ?? 'all'}
            onChange={(v) => (setStanding(v === 'all' ? undefined : (v as Standing)), setPage(1))}
            options={[{ value: 'all', label: w('all') }, { value: 'honoured', label: w('honoured') }, { value: 'restricted', label: w('restricted') }]}
            data-testid="points-standing-filter"
          />
          <Input.Search allowClear style={{ width: 200 }} placeholder={w('search')} data-testid="points-search" onSearch={(v) => (setQ(v.trim()), setPage(1))} />
          <RegionTreeSelect style={{ width: 200 }} placeholder={w('community')} value={communityId} selectableLevel="community" onChange={(id) => (setCommunityId(id), setPage(1))} />
          <Button icon={<FileExcelOutlined />} href={`/api/v1/unit-points/balances/export.xlsx${qs(filters)}`} download data-testid="points-export">{w('export')}</Button>
          {mayConfigure && <Button icon={<SettingOutlined />} onClick={() => setSettingsOpen(true)} data-testid="points-settings-open">{w('settings')}</Button>}
        </Space>
      </div>
      {first && <Typography.Paragraph type="secondary">{w('standingHelp', { min: first.bookingMinimum, max: first.honourThreshold })}</Typography.Paragraph>}
      <Table<Balance>
        rowKey={(b) => `${b.unitId}-${b.communityId}`}
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="points-table"
      />
      {data && data.total > 0 && (
        <Pagination style={{ marginTop: 16 }} current={page} pageSize={pageSize} total={data.total} showSizeChanger showTotal={(n) => w('total', { n })} onChange={(p, s) => (setPage(p), setPageSize(s))} />
      )}
      {ledgerOf && (
        <LedgerDrawer
          balance={ledgerOf}
          onClose={() => setLedgerOf(null)}
          onAdjust={(l) => setAdjusting({ unitId: l.unit.id, unitName: l.unit.name, communityId: l.community.id })}
          reloadKey={adjusting === null ? 0 : 1}
        />
      )}
      {adjusting && (
        <AdjustModal
          target={adjusting}
          onClose={() => setAdjusting(null)}
          onDone={() => {
            setAdjusting(null);
            list.reload();
          }}
        />
      )}
      {settingsOpen && <SettingsDrawer initialCommunityId={communityId ?? (first ? String(first.communityId) : undefined)} onClose={() => setSettingsOpen(false)} onSaved={() => list.reload()} />}
    </div>
  );
}

function LedgerDrawer({ balance, onClose, onAdjust, reloadKey }: { balance: Balance; onClose: () => void; onAdjust: (l: Ledger) => void; reloadKey: number }) {
  const w = usePointWords();
  const [page, setPage] = useState(1);
  const [event, setEvent] = useState<string | undefined>();
  const query = { communityId: balance.communityId, event };
  const ledger = useAsync(() => apiRequest<Ledger>('GET', `/unit-points/units/${balance.unitId}/entries`, { query: { ...query, page, pageSize: 15 } }), [page, event, reloadKey, balance.unitId]);
  const l = ledger.data;
  const columns: TableColumnsType<Entry> = [
    { title: w('time'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v) },
    { title: w('event'), dataIndex: 'event', width: 120, render: (v: string) => w(`event.${v}`) },
    { title: w('points'), dataIndex: 'points', width: 70, render: (v: number) => <Typography.Text type={v < 0 ? 'danger' : 'success'}>{v > 0 ? `+${v}` : v}</Typography.Text> },
    { title: w('note'), dataIndex: 'note', render: (v: string | null) => v ?? '—' },
    { title: w('by'), dataIndex: 'createdByName', width: 100, render: (v: string | null) => v ?? '—' },
  ];
  return (
    <Drawer open width={760} title={w('ledgerTitle', { unit: balance.unitName })} onClose={onClose} data-testid="points-ledger">
      {isForbidden(ledger.error) ? (
        <Forbidden error={ledger.error} />
      ) : (
        <>
          <Space size={32} wrap style={{ marginBottom: 16 }}>
            <Statistic title={w('balanceNow')} value={l?.balance ?? balance.balance} />
            <div>{l && <Tag color={standingColor[l.standing]}>{w(`standing.${l.standing}`)}</Tag>}</div>
            <Select allowClear style={{ width: 160 }} placeholder={w('event')} value={event} onChange={(v) => (setEvent(v), setPage(1))}
              options={['activity_served', 'service_claimed', 'need_delivered', 'wish_fulfilled', 'meeting_attended', 'meeting_missed', 'post_served', 'manual'].map((e) => ({ value: e, label: w(`event.${e}`) }))} />
            <Button icon={<FileExcelOutlined />} href={`/api/v1/unit-points/units/${balance.unitId}/entries/export.xlsx${qs(query)}`} download>{w('export')}</Button>
            {l?.canAdjust && <Button type="primary" onClick={() => onAdjust(l)}>{w('adjust')}</Button>}
          </Space>
          <Table<Entry> rowKey="id" size="small" loading={ledger.loading} columns={columns} dataSource={l?.items ?? []} pagination={false} locale={{ emptyText: <Empty description={w('noEntries')} /> }} data-testid="points-entries" />
          {l && l.total > 15 && <Pagination style={{ marginTop: 12 }} size="small" current={page} pageSize={15} total={l.total} showTotal={(n) => w('entries', { n })} onChange={setPage} />}
        </>
      )}
    </Drawer>
  );
}

function AdjustModal({ target, onClose, onDone }: { target: { unitId: number; unitName: string; communityId: number }; onClose: () => void; onDone: () => void }) {
  const w = usePointWords();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ points: number; note: string }>();
  const [busy, setBusy] = useState(false);
  async function submit() {
    const values = await form.validateFields();
    setBusy(true);
    try {
      await apiRequest('POST', `/unit-points/units/${target.unitId}/adjustments`, { body: { communityId: target.communityId, points: values.points, note: values.note.trim() } });
      message.success(w('saved'));
      onDone();
    } catch (error) {
      toastError(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={w('adjustTitle', { unit: target.unitName })} okText={w('ok')} cancelText={w('cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={onClose} okButtonProps={{ 'data-testid': 'points-adjust-ok' } as never}>
      <Form form={form} layout="vertical">
        <Form.Item name="points" label={w('adjustPoints')} rules={[{ required: true, type: 'integer', min: -100, max: 100, message: w('pointsNonZero') }, { validator: async (_, v) => { if (v === 0) throw new Error(w('pointsNonZero')); } }]}>
          <InputNumber style={{ width: 160 }} min={-100} max={100} precision={0} data-testid="points-adjust-points" />
        </Form.Item>
        <Form.Item name="note" label={w('adjustNote')} rules={[{ required: true, whitespace: true, min: 2, message: w('adjustNoteHint') }]}>
          <Input.TextArea rows={3} maxLength={200} placeholder={w('adjustNoteHint')} data-testid="points-adjust-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface SettingsValues {
  basePoints: number;
  bookingMinimum: number;
  honourThreshold: number;
  rules: Array<{ event: string; points: number; active: boolean }>;
}

function SettingsDrawer({ initialCommunityId, onClose, onSaved }: { initialCommunityId?: string; onClose: () => void; onSaved: () => void }) {
  const w = usePointWords();
  const { message } = AntApp.useApp();
  const [communityId, setCommunityId] = useState<string | undefined>(initialCommunityId);
  const [form] = Form.useForm<SettingsValues>();
  const [busy, setBusy] = useState(false);
  const settings = useAsync(() => apiRequest<Settings>('GET', `/unit-points/communities/${communityId}/settings`), [communityId], { skip: !communityId });
  const s = settings.data;
  useEffect(() => {
    if (s) form.setFieldsValue({ ...s.settings, rules: s.rules.map((r) => ({ event: r.event, points: r.points, active: r.active })) });
  }, [s, form]);
  async function save() {
    const values = await form.validateFields();
    setBusy(true);
    try {
      await apiRequest('PUT', `/unit-points/communities/${communityId}/settings`, { body: { basePoints: values.basePoints, bookingMinimum: values.bookingMinimum, honourThreshold: values.honourThreshold } });
      await apiRequest('PUT', `/unit-points/communities/${communityId}/rules`, { body: { rules: values.rules } });
      message.success(w('saved'));
      settings.reload();
      onSaved();
    } catch (error) {
      toastError(error);
    } finally {
      setBusy(false);
    }
  }
  const configure = Boolean(s?.abilities.configure);
  return (
    <Drawer
      open
      width={560}
      title={w('settingsTitle')}
      onClose={onClose}
      data-testid="points-settings"
      extra={configure && <Button type="primary" loading={busy} onClick={() => void save()} data-testid="points-settings-save">{w('save')}</Button>}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <RegionTreeSelect style={{ width: '100%' }} placeholder={w('chooseCommunity')} value={communityId} selectableLevel="community" allowClear={false} onChange={(id) => setCommunityId(id)} />
        {isForbidden(settings.error) && <Forbidden error={settings.error} />}
        {s && !configure && <Alert type="info" showIcon message={w('readOnly')} />}
        {s && (
          <Form form={form} layout="vertical" disabled={!configure}>
            <Space wrap>
              <Form.Item name="basePoints" label={w('basePoints')} rules={[{ required: true }]}><InputNumber min={0} max={1000} precision={0} /></Form.Item>
              <Form.Item name="bookingMinimum" label={w('bookingMinimum')} rules={[{ required: true }]}><InputNumber min={0} max={1000} precision={0} data-testid="points-settings-minimum" /></Form.Item>
              <Form.Item
                name="honourThreshold"
                label={w('honourThreshold')}
                dependencies={['bookingMinimum']}
                rules={[{ required: true }, ({ getFieldValue }) => ({ validator: async (_, v) => { if (typeof v === 'number' && v <= getFieldValue('bookingMinimum')) throw new Error(w('minBelowThreshold')); } })]}
              >
                <InputNumber min={0} max={1000} precision={0} data-testid="points-settings-threshold" />
              </Form.Item>
            </Space>
            <Typography.Title level={5}>{w('rules')}</Typography.Title>
            <Form.List name="rules">
              {(fields) =>
                fields.map((field) => {
                  const rule = s.rules[field.name];
                  return (
                    <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                      <span style={{ width: 140, display: 'inline-block' }}>{w(`event.${rule.event}`)}{rule.isDefault && <Tag style={{ marginLeft: 4 }}>{w('isDefault')}</Tag>}</span>
                      <Form.Item name={[field.name, 'event']} hidden><Input /></Form.Item>
                      <Form.Item name={[field.name, 'points']} rules={[{ required: true }]}><InputNumber min={-100} max={100} precision={0} /></Form.Item>
                      <Form.Item name={[field.name, 'active']} valuePropName="checked"><Switch size="small" checkedChildren={w('active')} /></Form.Item>
                    </Space>
                  );
                })
              }
            </Form.List>
          </Form>
        )}
      </Space>
    </Drawer>
  );
}
