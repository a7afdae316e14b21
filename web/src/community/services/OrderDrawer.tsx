import { useState } from 'react';
import { App as AntApp, Button, Descriptions, Drawer, Form, Input, Modal, Rate, Select, Space, Tag, Timeline, Typography } from 'antd';
import { ApiError } from '../../api.ts';
import { formatTime, toastError, useAsync } from '../../common.tsx';
import { useServiceWords } from './messages.ts';
import { serviceApi, statusColor, type Candidate, type OrderAction, type OrderDetail } from './serviceApi.ts';

/** Actions that need words first: a reason, the work done, or whom to dispatch to. */
const needsInput: Partial<Record<OrderAction, 'reason' | 'note' | 'assignee'>> = { decline: 'reason', cancel: 'reason', complete: 'note', dispatch: 'assignee', redispatch: 'assignee' };

/** One order: its facts, timeline and the buttons the server allows this user now (allowedActions). */
export function OrderDrawer({ orderId, onClose, onChanged }: { orderId: number | null; onClose: () => void; onChanged: () => void }) {
  const s = useServiceWords();
  const { message } = AntApp.useApp();
  const detail = useAsync(() => serviceApi.order(orderId!), [orderId], { skip: orderId === null });
  const [acting, setActing] = useState<OrderAction | null>(null);
  const order = detail.data;

  async function run(action: OrderAction, extra: Record<string, unknown> = {}) {
    if (!order) return;
    try {
      const updated = await serviceApi.act(order.id, { action, ...extra });
      message.success(s('done'));
      setActing(null);
      if ('timeline' in updated) detail.setData(updated as OrderDetail);
      else onClose();
      onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'version_conflict') {
        message.warning(s('versionConflict'));
        detail.reload();
      } else toastError(error);
    }
  }

  async function reveal() {
    if (!order) return;
    try {
      const contact = await serviceApi.reveal(order.id);
      Modal.info({
        title: s('revealed'),
        content: (
          <div data-testid="service-order-revealed">
            <p>{contact.residentName}</p>
            <p>{contact.residentPhone}</p>
            <p>{contact.address}</p>
          </div>
        ),
      });
    } catch (error) {
      toastError(error);
    }
  }

  return (
    <Drawer open={orderId !== null} onClose={onClose} width={560} title={order ? `${s('detail')} ${order.number}` : s('detail')} destroyOnHidden>
      {order && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="service-order-drawer">
          <Space wrap>
            <Tag color={statusColor[order.status]} data-testid="service-order-status" data-status={order.status}>
              {s(`status.${order.status}`)}
            </Tag>
            {order.rating !== null && <Rate disabled value={order.rating} data-testid="service-order-rating" />}
          </Space>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={s('offering')}>{`${order.categoryName} · ${order.offeringName}`}</Descriptions.Item>
            <Descriptions.Item label={s('resident')}>{order.residentName}</Descriptions.Item>
            <Descriptions.Item label={s('phone')}>
              <Space>
                <span>{order.residentPhone}</span>
                {order.canReveal && (
                  <Button size="small" onClick={() => void reveal()} data-testid="service-order-reveal">
                    {s('reveal')}
                  </Button>
                )}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={s('address')}>{order.address ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={s('preferredTime')}>{order.preferredTime ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={s('description')}>{order.description || '—'}</Descriptions.Item>
            <Descriptions.Item label={s('assignee')}>
              {order.assignee ? `${order.assignee.name ?? ''}（${s(`kind.${order.assignee.kind}`)}）` : '—'}
            </Descriptions.Item>
            {order.completionNote && <Descriptions.Item label={s('completionNote')}>{order.completionNote}</Descriptions.Item>}
            {order.ratingComment && <Descriptions.Item label={s('ratingComment')}>{order.ratingComment}</Descriptions.Item>}
          </Descriptions>
          {order.allowedActions.length > 0 && (
            <Space wrap data-testid="service-order-actions">
              {order.allowedActions.map((action) => (
                <Button
                  key={action}
                  type={action === 'cancel' || action === 'decline' ? 'default' : 'primary'}
                  danger={action === 'cancel'}
                  data-testid={`service-order-action-${action}`}
                  onClick={() => (needsInput[action] ? setActing(action) : void run(action))}
                >
                  {s(`action.${action}`)}
                </Button>
              ))}
            </Space>
          )}
          <Typography.Title level={5}>{s('timeline')}</Typography.Title>
          <Timeline
            data-testid="service-order-timeline"
            items={order.timeline.map((e) => ({
              color: e.action === 'cancel' || e.action === 'decline' ? 'gray' : 'blue',
              children: (
                <div data-action={e.action}>
                  <strong>{s(`action.${e.action}`)}</strong> · {e.actorLabel} · <span style={{ color: '#888' }}>{formatTime(e.at)}</span>
                  {e.note && <div>{e.note}</div>}
                </div>
              ),
            }))}
          />
        </Space>
      )}
      {order && acting && <ActionModal order={order} action={acting} onCancel={() => setActing(null)} onRun={(extra) => run(acting, extra)} />}
    </Drawer>
  );
}

function ActionModal({ order, action, onCancel, onRun }: { order: OrderDetail; action: OrderAction; onCancel: () => void; onRun: (extra: Record<string, unknown>) => Promise<void> }) {
  const s = useServiceWords();
  const [form] = Form.useForm();
  const kind = needsInput[action]!;
  const candidates = useAsync(() => serviceApi.candidates(order.id), [order.id], { skip: kind !== 'assignee' });
  const [busy, setBusy] = useState(false);
  const label = (c: Candidate) => `${c.name}（${s(`kind.${c.kind}`)}，${s('openOrders', { n: c.openOrders })}${c.hasAccount ? '' : `，${s('noAccount')}`}）`;

  async function submit() {
    const values = (await form.validateFields()) as { assignee?: string; text?: string };
    const extra: Record<string, unknown> = {};
    if (kind === 'assignee') {
      const [which, id] = values.assignee!.split(':');
      extra[which === 'party_member' ? 'partyMemberId' : 'volunteerId'] = Number(id);
    } else extra[kind] = values.text!.trim();
    setBusy(true);
    try {
      await onRun(extra);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open title={s(`action.${action}`)} onCancel={onCancel} onOk={() => void submit()} okText={s('ok')} cancelText={s('cancel')} confirmLoading={busy} okButtonProps={{ 'data-testid': 'service-order-action-ok' } as never}>
      <Form form={form} layout="vertical">
        {kind === 'assignee' ? (
          <Form.Item name="assignee" label={s('chooseAssignee')} rules={[{ required: true, message: s('required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              data-testid="service-order-assignee"
              loading={candidates.loading}
              notFoundContent={s('noCandidates')}
              options={(candidates.data ?? []).map((c) => ({ value: `${c.kind}:${c.id}`, label: label(c) }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="text" label={kind === 'note' ? s('completeNote') : s('reason')} rules={[{ required: true, whitespace: true, message: s('required') }]}>
            <Input.TextArea rows={3} maxLength={kind === 'note' ? 500 : 200} showCount data-testid="service-order-action-text" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
