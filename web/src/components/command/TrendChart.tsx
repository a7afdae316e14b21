// Received cases and the three rates by day, week or month. A month's bar opens that month's cases.
import { useMemo, useState } from 'react';
import { Segmented, Spin } from 'antd';
import { useAsync } from '../../common.tsx';
import { EChart, type ChartOption } from './EChart.tsx';
import { metricsApi, type TrendGranularity, type TrendResult } from './metricsApi.ts';
import { useCommandI18n } from './messages.ts';
import { trendBuckets, trendWindow } from './period.ts';
import { goToFigure, type Scope } from './scope.ts';

export function useTrend(scope: Scope & { node: string }, granularity: TrendGranularity, tick: number) {
  const window = useMemo(() => trendWindow(granularity, scope.from, scope.to), [granularity, scope.from, scope.to]);
  const result = useAsync(() => metricsApi.trend({ node: scope.node, granularity, from: window.from, to: window.to }), [scope.node, granularity, window.from, window.to, tick]);
  return { window, result };
}

export function trendOption(data: TrendResult | undefined, granularity: TrendGranularity, window: { from: string; to: string }, labels: { received: string; backlog: string; response: string; resolution: string; satisfaction: string }, dark: boolean, compact = false): ChartOption {
  const buckets = trendBuckets(granularity, window);
  const byBucket = new Map((data?.points ?? []).map((p) => [p.bucket.slice(0, granularity === 'month' ? 7 : 10), p]));
  const pointOf = (b: string) => byBucket.get(b);
  const rate = (b: string, name: 'response' | 'resolution' | 'satisfaction') => {
    const v = pointOf(b)?.rates[name].value;
    return v === null || v === undefined ? null : Math.round(v * 1000) / 10;
  };
  const axisLabel = (b: string) => (granularity === 'month' ? b : b.slice(5));
  return {
    color: dark ? ['#3c89e8', '#d89614', '#49aa19', '#13a8a8', '#d84a1b'] : ['#1677ff', '#fa8c16', '#52c41a', '#13c2c2', '#eb2f96'],
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : String(v)) },
    legend: { top: 0, textStyle: { fontSize: compact ? 11 : 12 }, itemWidth: 14, itemHeight: 8 },
    grid: { left: 8, right: 8, top: 30, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: buckets.map(axisLabel), axisLabel: { fontSize: 11 } },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: { lineStyle: { opacity: dark ? 0.15 : 0.6 } } },
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      { name: labels.received, type: 'bar', data: buckets.map((b) => pointOf(b)?.counters.received ?? 0), barMaxWidth: 18 },
      { name: labels.backlog, type: 'bar', data: buckets.map((b) => pointOf(b)?.counters.backlog ?? 0), barMaxWidth: 18 },
      { name: labels.response, type: 'line', yAxisIndex: 1, connectNulls: true, symbolSize: 4, data: buckets.map((b) => rate(b, 'response')) },
      { name: labels.resolution, type: 'line', yAxisIndex: 1, connectNulls: true, symbolSize: 4, data: buckets.map((b) => rate(b, 'resolution')) },
      { name: labels.satisfaction, type: 'line', yAxisIndex: 1, connectNulls: true, symbolSize: 4, data: buckets.map((b) => rate(b, 'satisfaction')) },
    ],
  };
}

export function TrendChart({ scope, tick, dark = false, height = 260 }: { scope: Scope & { node: string }; tick: number; dark?: boolean; height?: number }) {
  const { t } = useCommandI18n();
  const [granularity, setGranularity] = useState<TrendGranularity>(scope.from === scope.to ? 'day' : 'month');
  const { window, result } = useTrend(scope, granularity, tick);
  const labels = { received: t('received'), backlog: t('backlog'), response: t('response'), resolution: t('resolution'), satisfaction: t('satisfaction') };
  const option = useMemo(() => trendOption(result.data, granularity, window, labels, dark), [result.data, granularity, window, dark, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const buckets = useMemo(() => trendBuckets(granularity, window), [granularity, window]);
  return (
    <div data-testid="trend" data-granularity={granularity}>
      <div className="cmd-card-bar">
        <span className="cmd-card-title">{t('trend')}</span>
        <Segmented
          size="small"
          data-testid="trend-granularity"
          value={granularity}
          onChange={(v) => setGranularity(v as TrendGranularity)}
          options={(['day', 'week', 'month'] as const).map((g) => ({ value: g, label: t(g) }))}
        />
      </div>
      <Spin spinning={result.loading && !result.data} size="small">
        <EChart
          testId="trend-chart"
          option={option}
          height={height}
          dark={dark}
          onClick={
            granularity === 'month'
              ? (e) => {
                  const month = buckets[e.dataIndex];
                  if (month) goToFigure({ node: scope.node, from: month, to: month }, e.seriesIndex === 1 ? 'backlog' : 'received');
                }
              : undefined
          }
        />
      </Spin>
    </div>
  );
}
