import { useState } from 'react';
import { App as AntApp, Button, Card, Empty, Form, Input, Modal, Select, Space, Switch, Table, Typography, type TableColumnsType } from 'antd';
import { FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { isForbidden } from '../../api.ts';
import { Forbidden, RegionTreeSelect, toastError, useAsync } from '../../common.tsx';
import { useServiceWords } from './messages.ts';
import { serviceApi, type Offering } from './serviceApi.ts';

/** 服务事项清单: what the community offers residents to order; create, edit, deactivate, export. */
export default function ServiceOfferingsPage() {
  const s = useServiceWords();
  const { message } = AntApp.useApp();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const [categoryId, setCategoryId] = useState<number | undefined>();
  const [active, setActive] = useState<boolean | undefined>();
  const [editing, setEditing] = useState<Offering | 'new' | null>(null);
  const filters = { q: q || undefined, categoryId, active };
  const list = useAsync(() => serviceApi.offerings({ ...filters, page, pageSize }), [page, pageSize, JSON.stringify(filters)]);
  const categories = useAsync(() => serviceApi.categories(), []);
  if (isForbidden(list.error)) return <Forbidden error={list.error} />;

  async function toggle(offering: Offering, value: boolean) {
    try {
      await serviceApi.updateOffering(offering.id, { active: value });
      message.success(s('saved'));
      list.reload();
    } catch (error) {
      toastError(error);
    }
  }

  const columns: TableColumnsType<Offering> = [
    { title: s('category'), dataIndex: 'categoryName', width: 110 },
    { title: s('offeringName'), dataIndex: 'name' },
    { title: s('offeringDescription'), dataIndex: 'description', ellipsis: true },
    { title: s('provider'), dataIndex: 'regionName', width: 140 },
    { title: s('hours'), dataIndex: 'hours', width: 140, render: (v: string | null) => v ?? '1' },
    { title: s('active'), dataIndex: 'active', width: 80, render: (v: boolean, r) => <Switch size="small" checked={v} onChange={(value) => void toggle(r, value)} /> },
    { title: s('actions'), width: 80, render: (_, r) => <a onClick={() => setEditing(r)}>{s('edit')}</a> },
  ];

  return (
    <Card title={s('offeringsTitle')} data-testid="service-offerings-page"
      extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="service-offering-new">{s('newOffering')}</Button>}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={s('searchOfferings')} style={{ width: 240 }} onSearch={(v) => { setQ(v.trim()); setPage(1); }} />
        <Select allowClear showSearch optionFilterProp="label" placeholder={s('allCategories')} style={{ width: 150 }} value={categoryId} onChange={(v) => { setCategoryId(v); setPage(1); }}
          options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        <Select allowClear placeholder={s('allActive')} style={{ width: 140 }} value={active === undefined ? undefined : String(active)} onChange={(v) => { setActive(v === undefined ? undefined : v === 'true'); setPage(1); }}
          options={[{ value: 'true', label: s('activeOnly') }, { value: 'false', label: s('inactiveOnly') }]} />
        <Button icon={<FileExcelOutlined />} href={serviceApi.offeringsExportUrl(filters)}>{s('export')}</Button>
      </Space>
      <Table<Offering>
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={s('emptyOfferings')} /> }}
        pagination={{
          current: page, pageSize, total: list.data?.total ?? 0, showSizeChanger: true,
          showTotal: (n) => <Typography.Text type="secondary">{s('total', { n })}</Typography.Text>,
          onChange: (p, size) => { setPage(p); setPageSize(size); },
        }}
      />
      {editing && (
        <OfferingModal offering={editing === 'new' ? null : editing} categories={categories.data ?? []} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); message.success(s('saved')); list.reload(); }} />
      )}
    </Card>
  );
}

function OfferingModal({ offering, categories, onClose, onSaved }: { offering: Offering | null; categories: Array<{ id: number; name: string; active: boolean }>; onClose: () => void; onSaved: () => void }) {
  const s = useServiceWords();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  async function submit() {
    const values = (await form.validateFields()) as { regionNodeId?: string; categoryId: number; name: string; description?: string; hours?: string };
    const body: Record<string, unknown> = { categoryId: values.categoryId, name: values.name.trim(), description: values.description ?? '' };
    if (values.hours) body.hours = values.hours;
    else if (offering) body.hours = null;
    setBusy(true);
    try {
      if (offering) await serviceApi.updateOffering(offering.id, body);
      else await serviceApi.createOffering({ ...body, regionNodeId: Number(values.regionNodeId) });
      onSaved();
    } catch (error) {
      toastError(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={offering ? s('editOffering') : s('newOffering')} onCancel={onClose} onOk={() => void submit()} okText={s('ok')} cancelText={s('cancel')} confirmLoading={busy}>
      <Form form={form} layout="vertical" initialValues={offering ? { categoryId: offering.categoryId, name: offering.name, description: offering.description, hours: offering.hours ?? undefined } : {}}>
        {!offering && (
          <Form.Item name="regionNodeId" label={s('provider')} extra={s('providerHint')} rules={[{ required: true, message: s('required') }]}>
            <RegionTreeSelect maxLevel="community" />
          </Form.Item>
        )}
        <Form.Item name="categoryId" label={s('category')} rules={[{ required: true, message: s('required') }]}>
          <Select showSearch optionFilterProp="label" options={categories.filter((c) => c.active).map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        <Form.Item name="name" label={s('offeringName')} rules={[{ required: true, whitespace: true, message: s('required') }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="description" label={s('offeringDescription')}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
        <Form.Item name="hours" label={s('hours')} extra={s('hoursHint')} rules={[{ pattern: /^[0-9]{1,2}(\.[0-9]{1,2})?$/, message: '0.5 – 24' }]}>
          <Input style={{ width: 120 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
