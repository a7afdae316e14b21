import { useState } from 'react';
import { App as AntApp, Alert, Button, Card, DatePicker, Drawer, Empty, Form, Input, InputNumber, Modal, Result, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { FileExcelOutlined, FlagFilled, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, formatTime, toastError, useAsync, useAuth } from '../../common.tsx';
import { useIncentiveWords } from './messages.ts';

interface Head { id: number; userId: number; name: string; buildingName: string; balance: number; earned: number; spent: number }
interface Entry { id: number; userName: string; event: string; points: number; note: string | null; createdByName: string | null; createdAt: string }
interface Offer { id: number; shopName: string; title: string; description: string; pointsCost: number; validUntil: string | null; active: boolean; available: boolean; redeemedCount: number }
interface Code { id: number; offerTitle: string; shopName: string; holderName: string; points: number; status: string; issuedAt: string; expiresAt: string; redeemedAt: string | null; userId: number }
interface Evaluation { id: number; communityName: string; buildingName: string; period: string; score: number; rank: number; redFlag: boolean; comment: string | null; criteria: Record<string, number> }

const codeColor: Record<string, string> = { issued: 'blue', redeemed: 'green', expired: 'default', cancelled: 'default' };
const download = (path: string, query: Record<string, unknown>) => window.open(`/api/v1${path}${qs(query as never)}`, '_blank');

/** 楼栋激励: heads' points, partner-shop offers and one-time codes, 最美楼栋 with the red flag, and the shop's verify screen. */
export default function IncentivesPage() {
  const w = useIncentiveWords();
  const { me } = useAuth();
  const abilities = me?.abilities;
  const read = Boolean(abilities?.viewIncentives);
  const isHead = Boolean(me?.roles.some((r) => r.role === 'building_head'));
  const tabs = [
    ...(read ? [{ key: 'heads', label: w('heads'), children: <Heads /> }] : []),
    { key: 'offers', label: w('offers'), children: <Offers isHead={isHead} /> },
    { key: 'codes', label: w('codes'), children: <Codes /> },
    ...(read ? [{ key: 'evaluations', label: w('evaluations'), children: <Evaluations /> }] : []),
    ...(abilities?.verifyShopCodes ? [{ key: 'verify', label: w('verify'), children: <Verify /> }] : []),
  ];
  return (
    <Card title={w('menu')}>
      <Tabs defaultActiveKey={abilities?.verifyShopCodes && !read ? 'verify' : undefined} items={tabs} />
    </Card>
  );
}

function Heads() {
  const w = useIncentiveWords();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [ledgerOf, setLedgerOf] = useState<Head | null>(null);
  const [recording, setRecording] = useState<Head | null>(null);
  const list = useAsync(() => apiRequest<Paged<Head>>('GET', '/incentives/heads', { query: { q: q || undefined, page } }), [q, page]);
  const ledger = useAsync(() => apiRequest<Paged<Entry> & { balance: number }>('GET', '/incentives/entries', { query: { userId: ledgerOf?.userId, pageSize: 100 } }), [ledgerOf?.userId], { skip: !ledgerOf });
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} />
        <Button icon={<FileExcelOutlined />} onClick={() => download('/incentives/heads/export.xlsx', { q: q || undefined })}>{w('export')}</Button>
      </Space>
      <Table<Head>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        columns={[
          { title: w('head'), dataIndex: 'name' },
          { title: w('building'), dataIndex: 'buildingName' },
          { title: w('balance'), dataIndex: 'balance', width: 100 },
          { title: w('earned'), dataIndex: 'earned', width: 100 },
          { title: w('spent'), dataIndex: 'spent', width: 100 },
          { title: '', width: 200, render: (_, r) => <Space><Button size="small" onClick={() => setLedgerOf(r)}>{w('ledger')}</Button><Button size="small" onClick={() => setRecording(r)}>{w('record')}</Button></Space> },
        ]}
      />
      <Drawer open={Boolean(ledgerOf)} onClose={() => setLedgerOf(null)} width={620} title={`${ledgerOf?.name ?? ''} · ${w('balance')} ${ledger.data?.balance ?? ''}`}
        extra={<Button icon={<FileExcelOutlined />} onClick={() => download('/incentives/entries/export.xlsx', { userId: ledgerOf?.userId })}>{w('export')}</Button>}>
        <Table<Entry> size="small" rowKey="id" loading={ledger.loading} dataSource={ledger.data?.items ?? []} pagination={false} columns={[
          { title: w('time'), dataIndex: 'createdAt', render: formatTime, width: 160 },
          { title: w('event'), dataIndex: 'event', render: (e: string) => w(`event.${e}`) },
          { title: w('points'), dataIndex: 'points', render: (p: number) => <Typography.Text type={p < 0 ? 'danger' : 'success'}>{p > 0 ? `+${p}` : p}</Typography.Text> },
          { title: w('note'), dataIndex: 'note' },
        ]} />
      </Drawer>
      <Modal open={Boolean(recording)} title={`${w('record')} · ${recording?.name ?? ''}`} footer={null} onCancel={() => setRecording(null)} destroyOnHidden>
        <Form layout="vertical" initialValues={{ event: 'service', points: 5 }} onFinish={async (v: { event: string; points: number; note: string }) => {
          try { await apiRequest('POST', '/incentives/entries', { body: { ...v, userId: recording!.userId } }); message.success(w('saved')); setRecording(null); list.reload(); } catch (e) { toastError(e); }
        }}>
          <Form.Item name="event" label={w('event')}><Select options={['service', 'manual'].map((e) => ({ value: e, label: w(`event.${e}`) }))} /></Form.Item>
          <Form.Item name="points" label={w('points')} rules={[{ required: true }]}><InputNumber min={-100} max={100} /></Form.Item>
          <Form.Item name="note" label={w('note')} rules={[{ required: true }]}><Input maxLength={500} /></Form.Item>
          <Button type="primary" htmlType="submit">{w('ok')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

function Offers({ isHead }: { isHead: boolean }) {
  const w = useIncentiveWords();
  const { me } = useAuth();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<{ code: string; offerTitle: string; shopName: string; expiresAt: string; balance: number } | null>(null);
  const list = useAsync(() => apiRequest<Paged<Offer>>('GET', '/incentives/offers', { query: { q: q || undefined, page } }), [q, page]);
  // incentive.manage and joint_meeting.manage are the same roles (the community and up); the server decides anyway.
  const manage = Boolean(me?.abilities.manageJointMeetings);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search allowClear placeholder={w('search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 240 }} />
        <Button icon={<FileExcelOutlined />} onClick={() => download('/incentives/offers/export.xlsx', { q: q || undefined })}>{w('export')}</Button>
        {manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{w('newOffer')}</Button>}
      </Space>
      <Table<Offer>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        columns={[
          { title: w('shop'), dataIndex: 'shopName' },
          { title: w('offer'), dataIndex: 'title' },
          { title: w('pointsCost'), dataIndex: 'pointsCost', width: 90 },
          { title: w('validUntil'), dataIndex: 'validUntil', width: 110 },
          { title: w('status'), dataIndex: 'available', width: 90, render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{a ? w('available') : w('unavailable')}</Tag> },
          {
            title: '', width: 120, render: (_, r) => (
              <Space>
                {isHead && r.available && <Button size="small" type="primary" onClick={async () => {
                  try { setIssued(await apiRequest('POST', `/incentives/offers/${r.id}/codes`)); } catch (e) { toastError(e); }
                }}>{w('redeem')}</Button>}
                {manage && <Button size="small" onClick={async () => {
                  try { await apiRequest('PATCH', `/incentives/offers/${r.id}`, { body: { active: !r.active } }); list.reload(); } catch (e) { toastError(e); }
                }}>{r.active ? w('pause') : w('resume')}</Button>}
              </Space>
            ),
          },
        ]}
      />
      <Modal open={Boolean(issued)} footer={null} onCancel={() => setIssued(null)} title={w('yourCode')}>
        {issued && (
          <Result status="success" title={<span style={{ fontSize: 40, letterSpacing: 8, fontFamily: 'monospace' }}>{issued.code}</span>}
            subTitle={`${issued.shopName} · ${issued.offerTitle} · ${w('expiresAt')} ${formatTime(issued.expiresAt)} · ${w('balance')} ${issued.balance}`} extra={<Alert type="info" message={w('showAtCounter')} />} />
        )}
      </Modal>
      <Modal open={creating} title={w('newOffer')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" initialValues={{ pointsCost: 10 }} onFinish={async (v: { shopUnitId: number; title: string; description?: string; pointsCost: number; validUntil?: { format(f: string): string } }) => {
          try {
            await apiRequest('POST', '/incentives/offers', { body: { ...v, validUntil: v.validUntil?.format('YYYY-MM-DD') } });
            setCreating(false);
            list.reload();
          } catch (e) { toastError(e); }
        }}>
          <Form.Item name="shopUnitId" label={w('shopUnitId')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="title" label={w('offer')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
          <Form.Item name="description" label={w('description')}><Input.TextArea maxLength={1000} /></Form.Item>
          <Form.Item name="pointsCost" label={w('pointsCost')} rules={[{ required: true }]}><InputNumber min={0} /></Form.Item>
          <Form.Item name="validUntil" label={w('validUntil')}><DatePicker /></Form.Item>
          <Button type="primary" htmlType="submit">{w('ok')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

function Codes() {
  const w = useIncentiveWords();
  const { me } = useAuth();
  const [status, setStatus] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const list = useAsync(() => apiRequest<Paged<Code>>('GET', '/incentives/codes', { query: { status, page } }), [status, page]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select allowClear placeholder={w('status')} style={{ width: 140 }} value={status} onChange={(v) => { setStatus(v); setPage(1); }}
          options={['issued', 'redeemed', 'expired', 'cancelled'].map((s) => ({ value: s, label: w(`code.${s}`) }))} />
        <Button icon={<FileExcelOutlined />} onClick={() => download('/incentives/codes/export.xlsx', { status })}>{w('export')}</Button>
      </Space>
      <Table<Code>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        columns={[
          { title: w('shop'), dataIndex: 'shopName' },
          { title: w('offer'), dataIndex: 'offerTitle' },
          { title: w('holder'), dataIndex: 'holderName', width: 90 },
          { title: w('points'), dataIndex: 'points', width: 70 },
          { title: w('status'), dataIndex: 'status', width: 90, render: (s: string) => <Tag color={codeColor[s]}>{w(`code.${s}`)}</Tag> },
          { title: w('issuedAt'), dataIndex: 'issuedAt', render: formatTime, width: 160 },
          { title: w('expiresAt'), dataIndex: 'expiresAt', render: formatTime, width: 160 },
          {
            title: '', width: 150, render: (_, r) => r.status === 'issued' && r.userId === Number(me?.id) ? (
              <Button size="small" danger onClick={async () => {
                try { await apiRequest('POST', `/incentives/codes/${r.id}/cancel`); list.reload(); } catch (e) { toastError(e); }
              }}>{w('cancelCode')}</Button>
            ) : null,
          },
        ]}
      />
    </Space>
  );
}

function Evaluations() {
  const w = useIncentiveWords();
  const { message } = AntApp.useApp();
  const [period, setPeriod] = useState<string | undefined>();
  const [flags, setFlags] = useState(false);
  const [page, setPage] = useState(1);
  const [evaluating, setEvaluating] = useState(false);
  const filters = { period, redFlag: flags || undefined };
  const list = useAsync(() => apiRequest<Paged<Evaluation>>('GET', '/incentives/evaluations', { query: { ...filters, page } }), [page, JSON.stringify(filters)]);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input allowClear placeholder={`${w('period')} 2026-10 / 2026Q4`} style={{ width: 200 }} onPressEnter={(e) => { setPeriod((e.target as HTMLInputElement).value || undefined); setPage(1); }} />
        <Space><Switch checked={flags} onChange={(v) => { setFlags(v); setPage(1); }} />{w('onlyFlags')}</Space>
        <Button icon={<FileExcelOutlined />} onClick={() => download('/incentives/evaluations/export.xlsx', filters)}>{w('export')}</Button>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEvaluating(true)}>{w('evaluate')}</Button>
      </Space>
      <Table<Evaluation>
        rowKey="id" loading={list.loading} dataSource={list.data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }}
        pagination={{ current: page, total: list.data?.total ?? 0, pageSize: list.data?.pageSize ?? 20, onChange: setPage }}
        columns={[
          { title: w('period'), dataIndex: 'period', width: 100 },
          { title: w('building'), dataIndex: 'buildingName' },
          { title: w('score'), dataIndex: 'score', width: 80 },
          { title: w('rank'), dataIndex: 'rank', width: 70 },
          { title: w('redFlag'), dataIndex: 'redFlag', width: 100, render: (f: boolean) => (f ? <Tag color="red" icon={<FlagFilled />}>{w('redFlag')}</Tag> : null) },
          { title: w('criteria'), dataIndex: 'criteria', render: (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join('，') },
          { title: w('comment'), dataIndex: 'comment', ellipsis: true },
          {
            title: '', width: 110, render: (_, r) => r.redFlag ? null : (
              <Button size="small" onClick={async () => {
                try { await apiRequest('POST', `/incentives/evaluations/${r.id}/red-flag`); message.success(w('saved')); list.reload(); } catch (e) { toastError(e); }
              }}>{w('giveFlag')}</Button>
            ),
          },
        ]}
      />
      <Modal open={evaluating} title={w('evaluate')} footer={null} onCancel={() => setEvaluating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={async (v: { buildingId: number; period: string; score: number; comment?: string; redFlag?: boolean }) => {
          try { await apiRequest('POST', '/incentives/evaluations', { body: v }); setEvaluating(false); list.reload(); } catch (e) { toastError(e); }
        }}>
          <Form.Item name="buildingId" label={w('buildingId')} rules={[{ required: true }]}><InputNumber min={1} style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="period" label={w('period')} rules={[{ required: true, pattern: /^\d{4}-(0[1-9]|1[0-2])$|^\d{4}Q[1-4]$/ }]}><Input placeholder="2026-11" /></Form.Item>
          <Form.Item name="score" label={w('score')} rules={[{ required: true }]}><InputNumber min={0} max={100} step={0.5} /></Form.Item>
          <Form.Item name="comment" label={w('comment')}><Input.TextArea maxLength={1000} /></Form.Item>
          <Form.Item name="redFlag" label={w('redFlag')} valuePropName="checked"><Switch /></Form.Item>
          <Button type="primary" htmlType="submit">{w('ok')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

/** The shop clerk's screen: type the 8 digits the head shows, verify once. */
function Verify() {
  const w = useIncentiveWords();
  const [code, setCode] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const redeemed = await apiRequest<Code>('POST', '/incentives/codes/redeem', { body: { code } });
      setResult({ ok: true, text: `${w('verified')}：${redeemed.offerTitle} · ${redeemed.holderName}` });
      setCode('');
    } catch (e) {
      setResult({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 420 }}>
      <Input size="large" inputMode="numeric" maxLength={8} placeholder={w('codeInput')} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} onPressEnter={() => code.length === 8 && submit()} style={{ fontFamily: 'monospace', letterSpacing: 6, fontSize: 24 }} />
      <Button type="primary" size="large" block disabled={code.length !== 8} loading={busy} onClick={submit}>{w('verifyButton')}</Button>
      {result && <Alert type={result.ok ? 'success' : 'error'} message={result.text} showIcon />}
    </Space>
  );
}
