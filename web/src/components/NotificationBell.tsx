// 站内通知: the bell in the console header. The unread count is polled every 30 s (and shortly after a case
// event on the live feed, since the delivery worker writes the inbox a moment after the event); the
// dropdown lists the latest 10, a click marks one read and opens its case.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Button, Empty, Popover, Spin, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { notificationApi, type NotificationItem } from '../api.ts';
import { formatTime, toastError } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';
import { useCaseStream } from './CaseStream.tsx';

const POLL_MS = 30_000;
/** The delivery worker runs every 500 ms; look a little after a case event so its message is there. */
const AFTER_EVENT_MS = 1_500;
const LATEST = 10;

export function NotificationBell({ live }: { live: boolean }) {
  const { t } = useI18n();
  const [unread, setUnread] = useState(0);
  const [items, setItems] = useState<NotificationItem[] | null>(null);
  const [open, setOpen] = useState(false);
  const [loading, setLoading] = useState(false);
  const openRef = useRef(open);
  openRef.current = open;

  const loadList = useCallback(async () => {
    const page = await notificationApi.list({ pageSize: LATEST });
    setItems(page.items);
    setUnread(page.unread);
  }, []);

  /** Count only while closed; the open list is refreshed with it so it never shows stale read marks. */
  const refresh = useCallback(async () => {
    try {
      if (openRef.current) await loadList();
      else setUnread((await notificationApi.list({ unreadOnly: true, pageSize: 1 })).total);
    } catch {
      // a failed poll is retried at the next one; a dead session already sent the console to /login
    }
  }, [loadList]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (next) {
      setLoading(true);
      loadList()
        .catch(toastError)
        .finally(() => setLoading(false));
    }
  };

  const openItem = async (item: NotificationItem) => {
    if (!item.read) {
      try {
        await notificationApi.markRead(item.id);
        setItems((list) => list?.map((x) => (x.id === item.id ? { ...x, read: true } : x)) ?? null);
        setUnread((n) => Math.max(0, n - 1));
      } catch (err) {
        toastError(err);
      }
    }
    if (item.caseId !== null) {
      setOpen(false);
      navigate(`/cases/${item.caseId}`);
    }
  };

  const readAll = async () => {
    try {
      await notificationApi.markAllRead();
      setItems((list) => list?.map((x) => ({ ...x, read: true })) ?? null);
      setUnread(0);
    } catch (err) {
      toastError(err);
    }
  };

  const content = (
    <div style={{ width: 360 }} data-testid="notification-panel">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', paddingBottom: 8, borderBottom: '1px solid #f0f0f0' }}>
        <Typography.Text strong>
          {t('notifications')}
          {unread > 0 && <Typography.Text type="secondary" style={{ fontWeight: 'normal', marginLeft: 8 }}>{t('notificationsUnread', { n: unread })}</Typography.Text>}
        </Typography.Text>
        <Button type="link" size="small" disabled={unread === 0} onClick={() => void readAll()} data-testid="notification-read-all">
          {t('notificationsReadAll')}
        </Button>
      </div>
      {items === null ? (
        <div style={{ padding: 24, textAlign: 'center' }}>
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty data-testid="notification-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notificationsEmpty')} />
      ) : (
        <Spin spinning={loading}>
          <div style={{ maxHeight: 420, overflowY: 'auto' }}>
            {items.map((item) => (
              <div
                key={item.id}
                role="button"
                tabIndex={0}
                data-testid="notification-item"
                data-id={String(item.id)}
                data-case-id={item.caseId === null ? '' : String(item.caseId)}
                data-read={item.read ? 'true' : 'false'}
                className="cg-clickable-row"
                onClick={() => void openItem(item)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void openItem(item);
                }}
                style={{ padding: '8px 4px', borderBottom: '1px solid #f5f5f5', lineHeight: 1.5, opacity: item.read ? 0.6 : 1 }}
              >
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                  <span style={{ fontWeight: item.read ? 'normal' : 600 }}>
                    {!item.read && <Badge status="processing" style={{ marginRight: 6 }} />}
                    {item.title}
                  </span>
                  <span style={{ color: '#999', fontSize: 12, whiteSpace: 'nowrap' }}>{formatTime(item.createdAt)}</span>
                </div>
                <div style={{ color: '#555', fontSize: 13, wordBreak: 'break-all' }}>{item.body}</div>
              </div>
            ))}
          </div>
        </Spin>
      )}
    </div>
  );

  return (
    <>
      {live && <RefreshOnCaseEvents onEvent={refresh} />}
      <Popover content={content} trigger="click" placement="bottomRight" open={open} onOpenChange={onOpenChange} arrow={false}>
        <span data-testid="notification-count" data-count={String(unread)} style={{ display: 'inline-flex', lineHeight: 1 }}>
          <Badge count={unread} size="small" overflowCount={99}>
            <Button type="text" shape="circle" icon={<BellOutlined style={{ fontSize: 18 }} />} aria-label={t('notifications')} title={t('notifications')} data-testid="notification-bell" />
          </Badge>
        </span>
      </Popover>
    </>
  );
}

/** Looks at the inbox a moment after any case event in the user's scope (debounced). */
function RefreshOnCaseEvents({ onEvent }: { onEvent: () => void }) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useCaseStream(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => handler.current(), AFTER_EVENT_MS);
  });
  return null;
}
