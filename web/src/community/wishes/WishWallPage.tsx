import { useState } from 'react';
import { App as AntApp, Button, Card, Drawer, Empty, Form, Input, Modal, Pagination, Segmented, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs, type Paged } from '../../api.ts';
import { Forbidden, RegionTreeSelect, formatTime, useAsync } from '../../common.tsx';
import { useWishWords } from './messages.ts';

type Action = 'claim' | 'release' | 'fulfil' | 'confirm' | 'withdraw';
interface Wish {
  id: number;
  number: string;
  title: string;
  description: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone: string | null;
  status: 'posted' | 'claimed' | 'fulfilled' | 'confirmed' | 'withdrawn';
  communityName: string;
  buildingName: string | null;
  photoUrl: string | null;
  claimedBy: { kind: 'unit' | 'party_member'; label: string } | null;
  fulfilmentNote: string | null;
  createdAt: string;
  allowedActions: Action[];
  mayReveal: boolean;
}
type WishPage = Paged<Wish> & { mayPost: boolean };

const STATUSES = ['posted', 'claimed', 'fulfilled', 'confirmed', 'withdrawn'] as const;
const KINDS = ['elderly', 'child', 'disabled', 'low_income', 'other'] as const;
const statusColor: Record<string, string> = { posted: 'orange', claimed: 'blue', fulfilled: 'green', confirmed: 'green', withdrawn: 'default' };

/** 微心愿墙: the wishes of my area as cards or a table; the buttons are the server's allowedActions. */
export default function WishWallPage() {
  const w = useWishWords();
  const { message } = AntApp.useApp();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(12);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [kind, setKind] = useState<string | undefined>();
  const [regionId, setRegionId] = useState<string | undefined>();
  const [view, setView] = useState<'cards' | 'table'>('cards');
  const [acting, setActing] = useState<{ wish: Wish; action: Action } | null>(null);
  const [posting, setPosting] = useState(false);
  const filters = { q: q || undefined, status, kind, regionId };
  const list = useAsync(() => apiRequest<WishPage>('GET', '/micro-wishes', { query: { ...filters, page, pageSize } }), [page, pageSize, JSON.stringify(filters)]);

  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  async function run(wish: Wish, action: Action, body: Record<string, unknown> = {}) {
    await apiRequest('POST', `/micro-wishes/${wish.id}/${action}`, { body });
    message.success(w('done'));
    setActing(null);
    list.reload();
  }
  async function reveal(wish: Wish) {
    const contact = await apiRequest<{ wisherName: string; wisherPhone: string | null }>('POST', `/micro-wishes/${wish.id}/reveal`);
    Modal.info({
      title: w('reveal'),
      content: (
        <div data-testid="wish-revealed">
          <p>{contact.wisherName}</p>
          <p>{w('phone')}: {contact.wisherPhone ?? '—'}</p>
          <Typography.Text type="secondary">{w('revealNote')}</Typography.Text>
        </div>
      ),
    });
  }
  const onAction = (wish: Wish, action: Action) => (action === 'claim' ? void run(wish, action).catch(() => undefined) : setActing({ wish, action }));

  const buttons = (wish: Wish) => (
    <Space wrap size={4}>
      {wish.allowedActions.map((action) => (
        <Button key={action} size="small" type={action === 'claim' || action === 'fulfil' ? 'primary' : 'default'} data-testid={`wish-${action}`} onClick={() => onAction(wish, action)}>
          {w(`action.${action}`)}
        </Button>
      ))}
      {wish.mayReveal && (
        <Button size="small" type="link" data-testid="wish-reveal" onClick={() => void reveal(wish).catch(() => undefined)}>
          {w('reveal')}
        </Button>
      )}
    </Space>
  );
  const statusTag = (wish: Wish) => <Tag color={statusColor[wish.status]} data-testid="wish-status" data-status={wish.status}>{w(`status.${wish.status}`)}</Tag>;

  const columns: TableColumnsType<Wish> = [
    { title: w('number'), dataIndex: 'number', width: 160 },
    { title: w('wish'), dataIndex: 'title', render: (_, wish) => <Space>{wish.photoUrl && <img src={wish.photoUrl} alt="" width={40} height={40} style={{ objectFit: 'cover', borderRadius: 4 }} />}{wish.title}</Space> },
    { title: w('wisher'), dataIndex: 'wisherName', width: 100 },
    { title: w('kind'), dataIndex: 'wisherKind', width: 90, render: (k: string) => w(`kind.${k}`) },
    { title: w('community'), dataIndex: 'communityName', width: 120 },
    { title: w('status'), dataIndex: 'status', width: 90, render: (_, wish) => statusTag(wish) },
    { title: w('claimer'), dataIndex: 'claimedBy', width: 140, render: (_, wish) => wish.claimedBy?.label ?? '—' },
    { title: w('createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v) },
    { title: w('actions'), key: 'actions', width: 220, render: (_, wish) => buttons(wish) },
  ];

  const data = list.data;
  return (
    <div className="cg-page" data-testid="wish-wall-page">
      <h2 className="cg-page-title">{w('title')}</h2>
      <div className="cg-toolbar">
        <Space wrap>
          <Input.Search allowClear style={{ width: 220 }} placeholder={w('search')} data-testid="wish-search" onSearch={(v) => (setQ(v.trim()), setPage(1))} />
          <Select allowClear style={{ width: 130 }} placeholder={w('allStatuses')} value={status} data-testid="wish-status-filter" onChange={(v) => (setStatus(v), setPage(1))} options={STATUSES.map((s) => ({ value: s, label: w(`status.${s}`) }))} />
          <Select allowClear style={{ width: 130 }} placeholder={w('allKinds')} value={kind} onChange={(v) => (setKind(v), setPage(1))} options={KINDS.map((k) => ({ value: k, label: w(`kind.${k}`) }))} />
          <RegionTreeSelect style={{ width: 200 }} placeholder={w('region')} value={regionId} maxLevel="grid" onChange={(id) => (setRegionId(id), setPage(1))} />
          <Segmented value={view} onChange={(v) => setView(v as 'cards' | 'table')} options={[{ value: 'cards', label: w('cards') }, { value: 'table', label: w('table') }]} />
          <Button icon={<FileExcelOutlined />} href={`/api/v1/micro-wishes/export.xlsx${qs(filters)}`} download data-testid="wish-export">{w('export')}</Button>
          {data?.mayPost && (
            <Button type="primary" icon={<PlusOutlined />} data-testid="wish-post-open" onClick={() => setPosting(true)}>{w('postOnBehalf')}</Button>
          )}
        </Space>
      </div>

      {view === 'table' ? (
        <Table<Wish> rowKey="id" size="middle" loading={list.loading} columns={columns} dataSource={data?.items ?? []} locale={{ emptyText: <Empty description={w('empty')} /> }} pagination={false} scroll={{ x: 1100 }} />
      ) : data && data.items.length === 0 ? (
        <Empty description={w('empty')} data-testid="wish-empty" />
      ) : (
        <div style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))' }} data-testid="wish-cards">
          {(data?.items ?? []).map((wish) => (
            <Card
              key={wish.id}
              size="small"
              loading={list.loading}
              data-testid="wish-card"
              data-number={wish.number}
              cover={wish.photoUrl ? <img src={wish.photoUrl} alt="" style={{ height: 140, objectFit: 'cover' }} /> : undefined}
              title={<span title={wish.title}>{wish.title}</span>}
              extra={statusTag(wish)}
              actions={wish.allowedActions.length || wish.mayReveal ? [<div key="buttons" style={{ padding: '0 8px' }}>{buttons(wish)}</div>] : undefined}
            >
              <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
                {wish.wisherName} · {w(`kind.${wish.wisherKind}`)} · {wish.buildingName ?? wish.communityName}
              </Typography.Paragraph>
              {wish.description && <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>{wish.description}</Typography.Paragraph>}
              {wish.claimedBy && <Typography.Text data-testid="wish-claimer">{w('claimedBy', { who: wish.claimedBy.label })}</Typography.Text>}
              <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{wish.number} · {formatTime(wish.createdAt)}</Typography.Text></div>
            </Card>
          ))}
        </div>
      )}
      {data && data.total > 0 && (
        <Pagination style={{ marginTop: 16 }} current={page} pageSize={pageSize} total={data.total} showSizeChanger pageSizeOptions={[12, 24, 48]} showTotal={(n) => w('total', { n })} onChange={(p, s) => (setPage(p), setPageSize(s))} />
      )}

      {acting && <ActionModal wish={acting.wish} action={acting.action} onCancel={() => setActing(null)} onSubmit={(body) => run(acting.wish, acting.action, body)} />}
      <PostDrawer open={posting} onClose={() => setPosting(false)} onPosted={() => list.reload()} />
    </div>
  );
}

/** The note of a step: required for fulfil, a thank-you for confirm, optional otherwise. */
function ActionModal({ wish, action, onCancel, onSubmit }: { wish: Wish; action: Action; onCancel: () => void; onSubmit: (body: Record<string, unknown>) => Promise<void> }) {
  const w = useWishWords();
  const [form] = Form.useForm<{ text?: string }>();
  const [busy, setBusy] = useState(false);
  const [photo, setPhoto] = useState<{ token: string; name: string } | null>(null);
  const [uploading, setUploading] = useState(false);
  const field = action === 'confirm' ? 'thanksNote' : 'note';
  // The claimer's photo goes through the public upload (bound to this browser's address), which a liaison or a
  // party member may use without the case-photo permission; the wish then takes it as theirs.
  async function upload(file: File) {
    setUploading(true);
    try {
      const form = new FormData();
      form.append('file', file, file.name || 'photo.jpg');
      const uploaded = await apiRequest<{ token: string }>('POST', '/public/photos', { form });
      setPhoto({ token: uploaded.token, name: file.name });
    } catch {
      setPhoto(null);
    } finally {
      setUploading(false);
    }
  }
  const title = action === 'fulfil' ? w('fulfilTitle') : action === 'confirm' ? w('confirmTitle') : w(`action.${action}`);
  const label = action === 'fulfil' ? w('fulfilNote') : action === 'confirm' ? w('thanksNote') : w('noteTitle');
  async function submit() {
    const { text } = await form.validateFields();
    setBusy(true);
    try {
      await onSubmit({ ...(text?.trim() ? { [field]: text.trim() } : {}), ...(action === 'fulfil' && photo ? { photoToken: photo.token } : {}) });
    } catch {
      // the API client has shown the error
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={`${title} · ${wish.title}`} okText={w('ok')} cancelText={w('cancel')} confirmLoading={busy || uploading} onOk={() => void submit()} onCancel={onCancel} okButtonProps={{ 'data-testid': 'wish-action-ok' } as never}>
      <Form form={form} layout="vertical">
        <Form.Item name="text" label={label} rules={action === 'fulfil' ? [{ required: true, min: 2, whitespace: true, message: w('fulfilNoteHint') }] : []}>
          <Input.TextArea rows={3} maxLength={action === 'confirm' ? 300 : 500} placeholder={action === 'fulfil' ? w('fulfilNoteHint') : undefined} data-testid="wish-action-note" />
        </Form.Item>
        {action === 'fulfil' && (
          <Form.Item label={w('fulfilPhoto')}>
            <Space>
              <input type="file" accept="image/jpeg,image/png" data-testid="wish-fulfil-photo" disabled={uploading} onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
              {uploading && <Typography.Text type="secondary">…</Typography.Text>}
              {photo && <Typography.Text type="success" data-testid="wish-fulfil-photo-done">✓</Typography.Text>}
            </Space>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

interface PostValues {
  regionId: string;
  title: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone?: string;
  description?: string;
}

/** 代居民许愿: staff post for a resident who cannot; the answer carries the wisher's tracking link once. */
function PostDrawer({ open, onClose, onPosted }: { open: boolean; onClose: () => void; onPosted: () => void }) {
  const w = useWishWords();
  const [form] = Form.useForm<PostValues>();
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  async function submit() {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const body = {
        regionId: Number(values.regionId),
        title: values.title.trim(),
        wisherKind: values.wisherKind,
        wisherName: values.wisherName.trim(),
        ...(values.wisherPhone?.trim() ? { wisherPhone: values.wisherPhone.trim() } : {}),
        ...(values.description?.trim() ? { description: values.description.trim() } : {}),
      };
      const created = await apiRequest<{ trackingToken: string }>('POST', '/micro-wishes', { body });
      setLink(`${window.location.origin}/mt/${encodeURIComponent(created.trackingToken)}`);
      form.resetFields();
      onPosted();
    } catch {
      // shown by the API client
    } finally {
      setBusy(false);
    }
  }
  const close = () => (setLink(null), onClose());
  return (
    <Drawer open={open} onClose={close} title={w('postOnBehalf')} size={420} extra={<Button type="primary" loading={busy} onClick={() => void submit()} data-testid="wish-post-submit">{w('ok')}</Button>}>
      {link && (
        <Typography.Paragraph data-testid="wish-post-link">
          {w('trackingLink')} <Typography.Text copyable>{link}</Typography.Text>
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" initialValues={{ wisherKind: 'elderly' }}>
        <Form.Item name="regionId" label={w('place')} rules={[{ required: true, message: w('required') }]}>
          <RegionTreeSelect maxLevel="building" testId="wish-post-region" />
        </Form.Item>
        <Form.Item name="title" label={w('wish')} rules={[{ required: true, min: 2, max: 60, whitespace: true, message: w('required') }]}>
          <Input maxLength={60} data-testid="wish-post-title" />
        </Form.Item>
        <Form.Item name="wisherKind" label={w('kind')}>
          <Select options={KINDS.map((k) => ({ value: k, label: w(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="wisherName" label={w('wisherName')} rules={[{ required: true, max: 20, whitespace: true, message: w('required') }]}>
          <Input maxLength={20} data-testid="wish-post-name" />
        </Form.Item>
        <Form.Item name="wisherPhone" label={w('wisherPhone')} rules={[{ pattern: /^1[3-9]\d{9}$/, message: '1xxxxxxxxxx' }]}>
          <Input maxLength={11} />
        </Form.Item>
        <Form.Item name="description" label={w('description')}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
