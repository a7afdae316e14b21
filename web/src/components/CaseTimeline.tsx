// A case's timeline of events (who, when, what, note, photos) and the gallery of all its photos.
import { Empty, Image, Space, Tag, Timeline, Typography } from 'antd';
import type { CaseEventItem } from '../api.ts';
import { formatTime } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';

const EVENT_COLORS: Record<string, string> = {
  submit: 'blue',
  dispatch: 'blue',
  remind: 'red',
  escalate: 'orange',
  summon: 'orange',
  decline: 'gray',
  merge: 'gray',
  close: 'green',
  reply: 'green',
  department_reply: 'green',
  rate: 'green',
};

function Photos({ photos, size = 64 }: { photos: CaseEventItem['attachments']; size?: number }) {
  if (!photos.length) return null;
  return (
    <Image.PreviewGroup>
      <Space size={6} wrap>
        {photos.map((photo) => (
          <Image key={photo.token} src={photo.url} width={size} height={size} style={{ objectFit: 'cover', borderRadius: 4 }} data-testid="case-photo" />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

export function CaseTimeline({ events }: { events: CaseEventItem[] }) {
  const { t } = useI18n();
  if (!events.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <div data-testid="case-timeline">
      <Timeline
        items={events.map((event) => ({
          color: EVENT_COLORS[event.action] ?? 'gray',
          content: (
            <div data-testid="case-timeline-item" data-action={event.action} data-event-id={String(event.id)}>
              <Space size={8} wrap>
                <Typography.Text strong>{t(`caseAction_${event.action}` as MsgKey)}</Typography.Text>
                <Tag>{t(`inboxStatus_${event.toStatus}` as MsgKey)}</Tag>
                <Typography.Text type="secondary">{formatTime(event.at)}</Typography.Text>
                {event.actor && <Typography.Text type="secondary">{event.actor}</Typography.Text>}
              </Space>
              {event.note && <div style={{ whiteSpace: 'pre-wrap', marginTop: 4 }}>{event.note}</div>}
              {event.attachments?.length > 0 && (
                <div style={{ marginTop: 6 }}>
                  <Photos photos={event.attachments} />
                </div>
              )}
            </div>
          ),
        }))}
      />
    </div>
  );
}

/** Every photo of the case, in event order (reported photos first). */
export function CaseAttachments({ events }: { events: CaseEventItem[] }) {
  const photos = events.flatMap((e) => e.attachments ?? []);
  if (!photos.length) return null;
  return (
    <div data-testid="case-attachments">
      <Photos photos={photos} size={96} />
    </div>
  );
}
