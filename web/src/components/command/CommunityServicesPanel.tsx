// 社区服务 figures of the command centre's node and period (GET /api/v1/community-metrics): one small
// card per area, each figure with its rate; the children ranked by a chosen figure; the Excel ledger.
// The figure words (zh/en) come with the answer, from the server's one definition of each figure.
import { useState } from 'react';
import { Button, Empty, Select, Table, Tabs, Tooltip } from 'antd';
import { FileExcelOutlined } from '@ant-design/icons';
import { apiRequest, isForbidden, qs } from '../../api.ts';
import { useAsync } from '../../common.tsx';
import { useI18n } from '../../i18n.ts';

interface FigureDefinition {
  area: string;
  key: string;
  zh: string;
  en: string;
  kind: 'count' | 'rate' | 'average' | 'hours';
}
type Figures = Record<string, Record<string, number | null>>;
interface Definitions {
  areas: Record<string, { zh: string; en: string }>;
  figures: FigureDefinition[];
}
interface NodeInfo {
  ref: string;
  id: number;
  name: string;
  level: string;
}
interface FiguresAnswer {
  node: NodeInfo;
  period: { from: string; to: string };
  figures: Figures;
  definitions: Definitions;
}
interface RankingAnswer {
  items: Array<{ rank: number; node: NodeInfo; value: number | null; figures: Figures }>;
}

const words = {
  zh: { title: '社区服务', export: '导出社区服务指标', ranking: '下级排名', sortBy: '排名指标', rank: '名次', name: '名称', value: '数值', none: '本期暂无社区服务数据', forbidden: '无权查看本区域的社区服务指标', figures: '指标' },
  en: { title: 'Community services', export: 'Export community-service figures', ranking: 'Ranking', sortBy: 'Rank by', rank: 'Rank', name: 'Name', value: 'Value', none: 'No community-service figures for this period', forbidden: 'You may not see the community-service figures of this area', figures: 'Figures' },
};

export const formatFigure = (value: number | null | undefined, kind: FigureDefinition['kind']) => {
  if (value === null || value === undefined) return '—';
  if (kind === 'rate') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'average' || kind === 'hours') return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
  return value.toLocaleString();
};

const childLevel = (level: string): 'street' | 'community' | null => (level === 'street' ? 'community' : level === 'district' || level === 'city' ? 'street' : null);

export function CommunityServicesPanel({ node, from, to, tick }: { node: string; from: string; to: string; tick?: number }) {
  const { lang } = useI18n();
  const w = words[lang === 'en' ? 'en' : 'zh'];
  const [sort, setSort] = useState('gridWork.resolutionRate');
  const query = { node, from, to };
  const answer = useAsync(() => apiRequest<FiguresAnswer>('GET', '/community-metrics', { query }), [node, from, to, tick]);
  const level = answer.data ? childLevel(answer.data.node.level) : null;
  const ranking = useAsync(() => apiRequest<RankingAnswer>('GET', '/community-metrics/rankings', { query: { ...query, level: level!, sort } }), [node, from, to, level, sort, tick], {
    skip: !level,
  });

  if (answer.error && isForbidden(answer.error)) return <Empty description={w.forbidden} />;
  const data = answer.data;
  const label = (d: { zh: string; en: string }) => (lang === 'en' ? d.en : d.zh);
  const defs = data?.definitions.figures ?? [];
  const areas = Object.keys(data?.definitions.areas ?? {});
  const empty = data && Object.values(data.figures).every((area) => Object.values(area).every((v) => !v));
  const sortDef = defs.find((d) => `${d.area}.${d.key}` === sort);

  const cards = (
    <div className="cmd-cs-grid" data-testid="community-services-figures" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(230px, 1fr))', gap: 8 }}>
      {areas.map((area) => (
        <div key={area} className="cmd-card" data-area={area} style={{ padding: 10 }}>
          <div className="cmd-card-title" style={{ marginBottom: 6 }}>
            {label(data!.definitions.areas[area])}
          </div>
          {defs
            .filter((d) => d.area === area)
            .map((d) => (
              <div key={d.key} data-figure={`${area}.${d.key}`} style={{ display: 'flex', justifyContent: 'space-between', fontSize: 13, lineHeight: '22px' }}>
                <span style={{ color: d.kind === 'rate' ? '#1677ff' : undefined }}>{label(d)}</span>
                <b style={{ fontVariantNumeric: 'tabular-nums' }}>{formatFigure(data!.figures[area]?.[d.key], d.kind)}</b>
              </div>
            ))}
        </div>
      ))}
    </div>
  );

  const rankingTable = level ? (
    <div>
      <div style={{ marginBottom: 8 }}>
        {w.sortBy}{' '}
        <Select
          size="small"
          style={{ width: 260 }}
          value={sort}
          onChange={setSort}
          data-testid="community-services-sort"
          showSearch
          optionFilterProp="label"
          options={defs.map((d) => ({ value: `${d.area}.${d.key}`, label: `${label(data!.definitions.areas[d.area])} · ${label(d)}` }))}
        />
      </div>
      <Table
        size="small"
        rowKey={(r) => r.node.id}
        loading={ranking.loading}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={ranking.data?.items ?? []}
        columns={[
          { title: w.rank, dataIndex: 'rank', width: 70 },
          { title: w.name, render: (_: unknown, r: RankingAnswer['items'][number]) => r.node.name },
          { title: sortDef ? label(sortDef) : w.value, align: 'right' as const, render: (_: unknown, r: RankingAnswer['items'][number]) => formatFigure(r.value, sortDef?.kind ?? 'count') },
        ]}
      />
    </div>
  ) : null;

  return (
    <div data-testid="community-services">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 8 }}>
        <div className="cmd-card-title">{w.title}</div>
        <Tooltip title={w.export}>
          <Button size="small" icon={<FileExcelOutlined />} href={`/api/v1/community-metrics/export.xlsx${qs(query)}`} download data-testid="community-services-export" />
        </Tooltip>
      </div>
      {!data ? null : empty ? <Empty description={w.none} /> : null}
      {data && (level ? <Tabs size="small" items={[{ key: 'figures', label: w.figures, children: cards }, { key: 'ranking', label: w.ranking, children: rankingTable }]} /> : cards)}
    </div>
  );
}
