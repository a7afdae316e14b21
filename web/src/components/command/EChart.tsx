// ECharts with only the parts the command centre draws (bar, line, pie; grid, tooltip, legend; SVG), so
// the lazy command-centre chunk stays small and the rest of the console loads no chart code at all.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.ComposeOption<BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

export interface ChartClick {
  seriesIndex?: number;
  seriesName?: string;
  dataIndex: number;
  name: string;
  data: unknown;
}

export function EChart({
  option,
  height,
  dark = false,
  onClick,
  testId,
}: {
  option: ChartOption;
  height: number | string;
  dark?: boolean;
  onClick?: (event: ChartClick) => void;
  testId?: string;
}) {
  const div = useRef<HTMLDivElement | null>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    if (!div.current) return;
    const instance = echarts.init(div.current, dark ? 'dark' : undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => clickRef.current?.(params as unknown as ChartClick));
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(div.current);
    return () => {
      ro.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option, dark]);

  return <div ref={div} data-testid={testId} style={{ width: '100%', height, cursor: onClick ? 'pointer' : undefined }} />;
}
