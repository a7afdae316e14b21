// Received cases by channel, colour and category; a slice or bar opens exactly its cases.
import { useMemo } from 'react';
import { Empty } from 'antd';
import type { MsgKey } from '../../i18n.ts';
import { EChart, type ChartOption } from './EChart.tsx';
import type { NodeMetrics } from './metricsApi.ts';
import { useCommandI18n } from './messages.ts';
import { goToFigure, type Scope } from './scope.ts';

const COLOUR_HEX: Record<string, string> = { red: '#f5222d', orange: '#fa8c16', yellow: '#fadb14', green: '#52c41a' };
const CHANNEL_HEX = ['#1677ff', '#13c2c2', '#722ed1', '#fa8c16', '#8c8c8c'];

export function ChannelChart({ data, scope, dark = false, height = 200 }: { data: NodeMetrics; scope: Scope; dark?: boolean; height?: number }) {
  const { t, g } = useCommandI18n();
  const option = useMemo<ChartOption>(
    () => ({
      color: CHANNEL_HEX,
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { orient: 'vertical', right: 0, top: 'middle', itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          center: ['35%', '50%'],
          label: { show: false },
          data: data.byChannel.map((c) => ({ name: g(`caseChannel_${c.channel}` as MsgKey), value: c.count })),
        },
      ],
    }),
    [data, g],
  );
  return (
    <div data-testid="breakdown-channel">
      <div className="cmd-card-bar">
        <span className="cmd-card-title">{t('byChannel')}</span>
      </div>
      {data.counters.received === 0 ? (
        <NoCases height={height} />
      ) : (
        <EChart option={option} height={height} dark={dark} onClick={(e) => data.byChannel[e.dataIndex] && goToFigure(scope, data.byChannel[e.dataIndex].measure)} />
      )}
    </div>
  );
}

export function ColourChart({ data, scope, dark = false, height = 200 }: { data: NodeMetrics; scope: Scope; dark?: boolean; height?: number }) {
  const { t, g } = useCommandI18n();
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: 'category', data: data.byColor.map((c) => g(`inboxColor_${c.color}` as MsgKey)) },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { opacity: dark ? 0.15 : 0.6 } } },
      series: [
        {
          type: 'bar',
          name: t('count'),
          barMaxWidth: 36,
          label: { show: true, position: 'top', fontSize: 11 },
          data: data.byColor.map((c) => ({ value: c.count, itemStyle: { color: COLOUR_HEX[c.color] } })),
        },
      ],
    }),
    [data, g, t, dark],
  );
  return (
    <div data-testid="breakdown-colour">
      <div className="cmd-card-bar">
        <span className="cmd-card-title">{t('byColor')}</span>
      </div>
      <EChart option={option} height={height} dark={dark} onClick={(e) => data.byColor[e.dataIndex] && goToFigure(scope, data.byColor[e.dataIndex].measure)} />
    </div>
  );
}

export function CategoryChart({ data, scope, dark = false, height = 240, top = 10 }: { data: NodeMetrics; scope: Scope; dark?: boolean; height?: number; top?: number }) {
  const { t } = useCommandI18n();
  const rows = useMemo(() => data.byCategory.filter((c) => c.counters.received > 0).slice(0, top).reverse(), [data, top]);
  const option = useMemo<ChartOption>(
    () => ({
      color: [dark ? '#3c89e8' : '#1677ff', dark ? '#d89614' : '#fa8c16'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 4, right: 24, top: 24, bottom: 4, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { opacity: dark ? 0.15 : 0.6 } } },
      yAxis: { type: 'category', data: rows.map((c) => c.name), axisLabel: { fontSize: 11 } },
      series: [
        { type: 'bar', name: t('received'), data: rows.map((c) => c.counters.received), barMaxWidth: 14, label: { show: true, position: 'right', fontSize: 10 } },
        { type: 'bar', name: t('backlog'), data: rows.map((c) => c.counters.backlog), barMaxWidth: 14 },
      ],
    }),
    [rows, t, dark],
  );
  return (
    <div data-testid="breakdown-category">
      <div className="cmd-card-bar">
        <span className="cmd-card-title">{t('byCategory')}</span>
      </div>
      {rows.length === 0 ? (
        <NoCases height={height} />
      ) : (
        <EChart
          option={option}
          height={height}
          dark={dark}
          onClick={(e) => {
            const row = rows[e.dataIndex];
            if (row) goToFigure(scope, e.seriesIndex === 1 ? 'backlog' : 'received', row.categoryId);
          }}
        />
      )}
    </div>
  );
}

function NoCases({ height }: { height: number }) {
  const { t } = useCommandI18n();
  return (
    <div style={{ height, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noCases')} />
    </div>
  );
}
