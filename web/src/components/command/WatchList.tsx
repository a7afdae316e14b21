// 重点关注: the newest cases behind a figure (overdue and open, supervised), each opening its case page,
// and a link to all of them.
import { Empty, Spin, Tag } from 'antd';
import { useAsync } from '../../common.tsx';
import type { MsgKey } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { TriageColorTag } from '../../pages/StreetPage.tsx';
import { metricsApi } from './metricsApi.ts';
import { useCommandI18n } from './messages.ts';
import { figureUrl, type Scope } from './scope.ts';

export function WatchList({ scope, measure, title, tick, rows = 6 }: { scope: Scope & { node: string }; measure: 'overdue_open' | 'supervised'; title: string; tick: number; rows?: number }) {
  const { t, g } = useCommandI18n();
  const list = useAsync(() => metricsApi.cases({ ...scope, measure, pageSize: rows }), [scope.node, scope.from, scope.to, measure, rows, tick]);
  const total = list.data?.total ?? 0;
  return (
    <div className="cmd-watch" data-testid={`watch-${measure}`} data-total={list.data ? String(total) : undefined}>
      <div className="cmd-card-bar">
        <span className="cmd-card-title">
          {title} <Tag color={measure === 'overdue_open' && total > 0 ? 'red' : measure === 'supervised' && total > 0 ? 'purple' : 'default'}>{total}</Tag>
        </span>
        {total > 0 && (
          <Link to={figureUrl(scope, measure)} data-testid={`watch-${measure}-more`}>
            {t('more', { n: total })}
          </Link>
        )}
      </div>
      <Spin spinning={list.loading && !list.data} size="small">
        {list.data && list.data.items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} style={{ margin: '8px 0' }} />
        ) : (
          <ul className="cmd-watch-list">
            {(list.data?.items ?? []).map((c) => (
              <li key={c.id} data-testid="watch-item" data-case-id={String(c.id)}>
                <TriageColorTag color={c.triageColor} />
                <Link to={`/cases/${c.id}`} className="cg-mono cmd-watch-number">
                  {c.number}
                </Link>
                <span className="cmd-watch-title" title={c.title}>
                  {c.title}
                </span>
                <span className="cmd-watch-meta">
                  {c.grid ?? ''} · {g(`inboxStatus_${c.status}` as MsgKey)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Spin>
    </div>
  );
}
