import { useState } from 'react';
import { App as AntApp, Button, Card, DatePicker, Drawer, Empty, Form, Input, InputNumber, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useNoticeWords } from './messages.ts';
import { placesOf, statusColor } from './shared.ts';

interface Meeting { id: number; kind: string; regionName: string; title: string; heldAt: string; location: string | null; status: string; proposalCount: number; adoptedCount: number; allowedActions: string[] }
interface Proposal { id: number; title: string; description: string; proposerName: string | null; decision: string; votesFor: number | null; votesAgainst: number | null; votesAbstain: number | null; publicResult: string | null }
interface MeetingDetail extends Meeting {
  participants: string | null;
  summary: string | null;
  canPropose: boolean;
  canDecide: boolean;
  proposals: Proposal[];
  timeline: Array<{ id: number; action: string; actorLabel: string; note: string | null; at: string }>;
}

/** 议事协商: community and building councils, their proposals, votes and published results. */
export default function DeliberationsPage() {
  const w = useNoticeWords();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [holding, setHolding] = useState(false);
  const [deciding, setDeciding] = useState<Proposal | null>(null);
  const [proposal, setProposal] = useState('');
  const filters = { q: q || undefined, kind };
  const list = useAsync(() => apiRequest<Paged<Meeting>>('GET', '/deliberations', { query: { ...filters, page, pageSize: 20 } }), [q, kind, page]);
  const detail = useAsync(() => apiRequest<MeetingDetail>('GET', `/deliberations/${open}`), [open], { skip: open === null });
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      message.success(w('done'));
      detail.reload();
      list.reload();
      return true;
    } catch (error) {
      toastError(error);
      return false;
    }
  };
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  const meeting = detail.data;
  return (
    <Card title={w('menuDeliberations')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 220 }} />
          <Select allowClear placeholder={w('kind')} value={kind} onChange={(v) => { setKind(v); setPage(1); }} style={{ width: 160 }} options={['community_council', 'building_council'].map((k) => ({ value: k, label: w(k) }))} />
          <Button icon={<FileExcelOutlined />} onClick={() => window.open(`/api/v1/deliberations/export.xlsx${qs(filters as never)}`, '_blank')}>{w('export')}</Button>
          {me?.abilities.manageDeliberations && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{w('create')}</Button>}
        </Space>
        <Table<Meeting>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: <Empty description={w('empty')} /> }}
          onRow={(row) => ({ onClick: () => setOpen(row.id), style: { cursor: 'pointer' } })}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: w('title'), dataIndex: 'title' },
            { title: w('kind'), dataIndex: 'kind', width: 120, render: (k: string) => w(k) },
            { title: w('region'), dataIndex: 'regionName', width: 140 },
            { title: w('heldAt'), dataIndex: 'heldAt', width: 170, render: formatTime },
            { title: w('proposals'), width: 90, render: (_: unknown, m: Meeting) => `${m.adoptedCount}/${m.proposalCount}` },
            { title: w('status'), dataIndex: 'status', width: 110, render: (s: string) => <Tag color={statusColor[s]}>{w(s)}</Tag> },
          ]}
        />
      </Space>
      <Drawer open={open !== null} onClose={() => setOpen(null)} width={640} title={meeting?.title} destroyOnHidden>
        {meeting && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Space wrap><Tag>{w(meeting.kind)}</Tag><Tag color={statusColor[meeting.status]}>{w(meeting.status)}</Tag><span>{meeting.regionName} · {formatTime(meeting.heldAt)} · {meeting.location ?? ''}</span></Space>
            {meeting.participants && <Typography.Text>{w('participants')}：{meeting.participants}</Typography.Text>}
            {meeting.summary && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{meeting.summary}</Typography.Paragraph>}
            <Space>
              {meeting.allowedActions.map((a) => (
                <Button key={a} type="primary" onClick={() => (a === 'hold' ? setHolding(true) : run(() => apiRequest('POST', `/deliberations/${meeting.id}/actions`, { body: { action: a } })))}>{w(a)}</Button>
              ))}
            </Space>
            <Table<Proposal> size="small" rowKey="id" pagination={false} dataSource={meeting.proposals} locale={{ emptyText: <Empty description={w('empty')} /> }}
              columns={[
                { title: w('proposals'), dataIndex: 'title' },
                { title: w('decision'), dataIndex: 'decision', width: 90, render: (d: string) => <Tag color={statusColor[d]}>{w(d)}</Tag> },
                { title: w('votes'), width: 110, render: (_: unknown, p: Proposal) => (p.votesFor === null ? '—' : `${p.votesFor}/${p.votesAgainst ?? 0}/${p.votesAbstain ?? 0}`) },
                { title: w('publicResult'), dataIndex: 'publicResult' },
                ...(meeting.canDecide ? [{ title: '', width: 90, render: (_: unknown, p: Proposal) => <Button size="small" onClick={() => setDeciding(p)}>{w('decide')}</Button> }] : []),
              ]} />
            {meeting.canPropose && (
              <Space.Compact style={{ width: '100%' }}>
                <Input value={proposal} onChange={(e) => setProposal(e.target.value)} maxLength={100} placeholder={w('addProposal')} />
                <Button disabled={!proposal.trim()} onClick={async () => (await run(() => apiRequest('POST', `/deliberations/${meeting.id}/proposals`, { body: { title: proposal.trim() } }))) && setProposal('')}>{w('addProposal')}</Button>
              </Space.Compact>
            )}
            <Card size="small" title={w('timeline')}><Timeline items={meeting.timeline.map((e) => ({ children: `${formatTime(e.at)} ${e.actorLabel} ${w(e.action)}${e.note ? `：${e.note}` : ''}` }))} /></Card>
          </Space>
        )}
      </Drawer>
      {holding && meeting && (
        <Drawer open onClose={() => setHolding(false)} width={480} title={w('hold')}>
          <Form layout="vertical" onFinish={async (v) => (await run(() => apiRequest('POST', `/deliberations/${meeting.id}/actions`, { body: { action: 'hold', ...v } }))) && setHolding(false)}>
            <Form.Item name="participants" label={w('participants')} rules={[{ required: true }]}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
            <Form.Item name="summary" label={w('summary')} rules={[{ required: true }]}><Input.TextArea rows={5} maxLength={5000} /></Form.Item>
            <Button type="primary" htmlType="submit">{w('save')}</Button>
          </Form>
        </Drawer>
      )}
      {deciding && (
        <Drawer open onClose={() => setDeciding(null)} width={480} title={`${w('decide')} · ${deciding.title}`}>
          <Form layout="vertical" initialValues={{ decision: deciding.decision === 'pending' ? 'adopted' : deciding.decision, votesFor: deciding.votesFor ?? undefined, votesAgainst: deciding.votesAgainst ?? undefined, votesAbstain: deciding.votesAbstain ?? undefined, publicResult: deciding.publicResult ?? undefined }}
            onFinish={async (v: Record<string, unknown>) => (await run(() => apiRequest('PATCH', `/deliberation-proposals/${deciding.id}`, { body: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null && x !== '')) }))) && setDeciding(null)}>
            <Form.Item name="decision" label={w('decision')} rules={[{ required: true }]}><Select options={['adopted', 'rejected', 'deferred', 'pending'].map((d) => ({ value: d, label: w(d) }))} /></Form.Item>
            <Space>
              <Form.Item name="votesFor" label="+"><InputNumber min={0} /></Form.Item>
              <Form.Item name="votesAgainst" label="−"><InputNumber min={0} /></Form.Item>
              <Form.Item name="votesAbstain" label="○"><InputNumber min={0} /></Form.Item>
            </Space>
            <Form.Item name="publicResult" label={w('publicResult')}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
            <Button type="primary" htmlType="submit">{w('save')}</Button>
          </Form>
        </Drawer>
      )}
      {creating && <CreateMeeting onClose={() => setCreating(false)} onCreated={() => { setCreating(false); list.reload(); }} />}
    </Card>
  );
}

function CreateMeeting({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const w = useNoticeWords();
  const { me } = useAuth();
  const [form] = Form.useForm();
  const kind = Form.useWatch('kind', form) ?? 'community_council';
  const places = placesOf(me, [kind === 'community_council' ? 'community' : 'building']);
  const submit = async (values: { kind: string; regionId: number; title: string; heldAt: { toISOString(): string }; location?: string }) => {
    try {
      await apiRequest('POST', '/deliberations', { body: { ...values, heldAt: values.heldAt.toISOString(), ...(values.location ? {} : { location: undefined }) } });
      onCreated();
    } catch (error) {
      toastError(error);
    }
  };
  return (
    <Drawer open onClose={onClose} width={480} title={w('create')}>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'community_council' }}>
        <Form.Item name="kind" label={w('kind')} rules={[{ required: true }]}><Select options={['community_council', 'building_council'].map((k) => ({ value: k, label: w(k) }))} /></Form.Item>
        <Form.Item name="regionId" label={w('region')} rules={[{ required: true }]}><Select options={places} /></Form.Item>
        <Form.Item name="title" label={w('title')} rules={[{ required: true, max: 100 }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="heldAt" label={w('heldAt')} rules={[{ required: true }]}><DatePicker showTime /></Form.Item>
        <Form.Item name="location" label={w('location')}><Input maxLength={100} /></Form.Item>
        <Button type="primary" htmlType="submit">{w('save')}</Button>
      </Form>
    </Drawer>
  );
}
