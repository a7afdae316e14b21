// A case's timeline of events (who, when, what, note, photos) and the gallery of all its photos.
import { Empty, Image, Space, Tag, Timeline, Typography } from 'antd';
import type { CaseEventItem } from '../api.ts';
import { formatTime } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';

const photoUrl = (token: string) => `/api/v1/photos/${encodeURIComponent(token)}`;

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

function Photos({ tokens, size = 64 }: { tokens: string[]; size?: number }) {
  if (!tokens.length) return null;
  return (
    <Image.PreviewGroup>
      <Space size={6} wrap>
        {tokens.map((token) => (
          <Image key={token} src={photoUrl(token)} width={size} height={size} style={{ objectFit: 'cover', borderRadius: 4 }} data-testid="case-photo" />
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
                  <Photos tokens={event.attachments} />
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
  const tokens = events.flatMap((e) => e.attachments ?? []);
  if (!tokens.length) return null;
  return (
    <div data-testid="case-attachments">
      <Photos tokens={tokens} size={96} />
    </div>
  );
}
