// 热点诉求: the words most of the period's cases use (the server cuts them with jieba), each with a bar,
// its count and an arrow against the previous period of the same length.
import { Empty, Spin, Tooltip } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, MinusOutlined } from '@ant-design/icons';
import { ApiError } from '../../api.ts';
import { useAsync } from '../../common.tsx';
import { metricsApi, type HotTopic } from './metricsApi.ts';
import { useCommandI18n } from './messages.ts';
import type { Scope } from './scope.ts';

function Arrow({ topic }: { topic: HotTopic }) {
  if (topic.trend === 'up') return <ArrowUpOutlined style={{ color: '#cf1322' }} />;
  if (topic.trend === 'down') return <ArrowDownOutlined style={{ color: '#389e0d' }} />;
  return <MinusOutlined style={{ color: '#999' }} />;
}

export function HotTopics({ scope, tick, limit = 15, columns = 1 }: { scope: Scope & { node: string }; tick: number; limit?: number; columns?: number }) {
  const { t } = useCommandI18n();
  // Word counts are cached a minute on the server; the live tick still asks (cheap when cached).
  const result = useAsync(() => metricsApi.hotTopics({ ...scope, limit }), [scope.node, scope.from, scope.to, limit, tick]);
  const topics = result.data?.topics ?? [];
  const max = Math.max(1, ...topics.map((x) => x.count));
  const missing = result.error instanceof ApiError && (result.error.status === 404 || result.error.status >= 500);
  return (
    <div data-testid="hot-topics">
      <div className="cmd-card-bar">
        <Tooltip title={t('hotTopicsHint')}>
          <span className="cmd-card-title">{t('hotTopics')}</span>
        </Tooltip>
      </div>
      <Spin spinning={result.loading && !result.data} size="small">
        {missing ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hotTopicsUnavailable')} />
        ) : result.data && topics.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hotTopicsNone')} />
        ) : (
          <ol className="cmd-topics" style={{ columnCount: columns }}>
            {topics.map((topic) => (
              <li key={topic.word} data-testid="hot-topic" data-word={topic.word} data-count={String(topic.count)} data-trend={topic.trend}>
                <span className="cmd-topic-word">{topic.word}</span>
                <span className="cmd-topic-bar">
                  <i style={{ width: `${(topic.count / max) * 100}%` }} />
                </span>
                <Tooltip title={t('previous', { n: topic.previousCount })}>
                  <span className="cmd-topic-count">
                    {topic.count} <Arrow topic={topic} />
                  </span>
                </Tooltip>
              </li>
            ))}
          </ol>
        )}
      </Spin>
    </div>
  );
}
