// 月度报告 (/command/report?node&month): one node's month on a printable sheet: the figures, the three
// rates with their numerators and denominators, the ranking of the level below, categories and trends.
// Print CSS lays it on A4 without the console's menus; the ledger downloads as a spreadsheet.
import { useMemo } from 'react';
import { Button, DatePicker, Space, Spin } from 'antd';
import { ArrowLeftOutlined, FileExcelOutlined, PrinterOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { isForbidden } from '../api.ts';
import { Forbidden, formatTime, useAsync } from '../common.tsx';
import { Link, navigate } from '../router.tsx';
import '../components/command/command.css';
import { EChart } from '../components/command/EChart.tsx';
import { childLevelOf, metricsApi, type NodeMetrics, type RateName } from '../components/command/metricsApi.ts';
import { durationText, percent, useCommandI18n } from '../components/command/messages.ts';
import { currentMonth, isMonth } from '../components/command/period.ts';
import { figureUrl, scopeUrl, useScope } from '../components/command/scope.ts';
import { trendOption, useTrend } from '../components/command/TrendChart.tsx';

const RATES: RateName[] = ['response', 'resolution', 'satisfaction'];
/** The sheet's chart width: A4 less 12 mm margins each side, so screen and paper draw the same. */
const CHART_HEIGHT = 220;

export default function MonthlyReportPage() {
  const { t, level, measure, lang } = useCommandI18n();
  const scope = useScope();
  const monthParam = scope.params.get('month');
  const month = isMonth(monthParam) ? monthParam : currentMonth();
  const metrics = useAsync(() => metricsApi.node({ node: scope.node, from: month, to: month }), [scope.node, month]);
  const data = metrics.data;
  const resolved = data ? { node: data.node.ref, from: month, to: month } : null;
  const childLevel = data?.node.kind === 'region' ? childLevelOf(data.node.level) : null;
  const children = useAsync(() => metricsApi.rankings({ ...resolved!, level: childLevel!, sort: 'composite' }), [resolved?.node, month, childLevel], { skip: !resolved || !childLevel });

  if (isForbidden(metrics.error)) return <Forbidden error={metrics.error} />;
  const setMonth = (m: string) => navigate(scopeUrl('/command/report', { node: scope.node, month: m }));

  return (
    <div className="cmd-report-page" data-testid="report-page">
      <div className="cmd-report-toolbar cmd-no-print">
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(scopeUrl('/command', { node: scope.node ?? data?.node.ref, from: month }))}>
          {t('backToCentre')}
        </Button>
        <Space>
          <DatePicker picker="month" allowClear={false} value={dayjs(`${month}-01`)} disabledDate={(d) => d.isAfter(dayjs(`${currentMonth()}-01`), 'month')} onChange={(d) => d && setMonth(d.format('YYYY-MM'))} />
          {resolved && (
            <Button icon={<FileExcelOutlined />} href={metricsApi.exportXlsxUrl(resolved)} download data-testid="report-export">
              {t('exportLedger')}
            </Button>
          )}
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="report-print">
            {t('reportPrint')}
          </Button>
        </Space>
      </div>
      {!data || !resolved ? (
        <div style={{ textAlign: 'center', padding: 48 }}>
          <Spin />
        </div>
      ) : (
        <div className="cmd-report" data-testid="report-sheet" data-node={data.node.ref} data-month={month}>
          <h1 data-testid="report-title">{t('reportTitle', { node: data.node.name, month })}</h1>
          <div className="cmd-report-meta">
            {level(data.node.level)} · {t('reportGenerated', { t: formatTime(new Date().toISOString()) })}
          </div>

          <h2>{t('reportFigures')}</h2>
          <div className="cmd-report-figures">
            {(['received', 'backlog', 'overdue_open', 'dispatched', 'replied', 'closed', 'rated', 'supervised'] as const).map((m) => (
              <Link key={m} to={figureUrl(resolved, m)} className="cmd-report-figure" data-testid={`report-figure-${m}`} data-value={String(data.counters[m] ?? 0)}>
                <b>{data.counters[m] ?? 0}</b>
                <span>{measure(m)}</span>
              </Link>
            ))}
          </div>
          <div style={{ fontSize: 12, color: '#666', marginTop: 6 }}>
            {t('averages')}: {t('avgDispatch')} {durationText(data.averages.dispatchSeconds, lang)} · {t('avgContact')} {durationText(data.averages.contactSeconds, lang)} · {t('avgReply')}{' '}
            {durationText(data.averages.replySeconds, lang)}
          </div>

          <h2>{t('reportRates')}</h2>
          <RatesTable data={data} scope={resolved} />

          <h2>{t('reportChildren')}</h2>
          {!childLevel ? (
            <div style={{ color: '#888' }}>{t('reportNoChildren')}</div>
          ) : (
            <table className="cmd-sheet" data-testid="report-children">
              <thead>
                <tr>
                  <th>{t('rank')}</th>
                  <th>{level(childLevel)}</th>
                  <th>{t('received')}</th>
                  <th>{t('backlog')}</th>
                  <th>{t('overdueOpen')}</th>
                  <th>{t('response')}</th>
                  <th>{t('resolution')}</th>
                  <th>{t('satisfaction')}</th>
                  <th>{t('composite')}</th>
                </tr>
              </thead>
              <tbody>
                {(children.data?.items ?? []).map((r) => (
                  <tr key={r.node.ref}>
                    <td className="num">{r.rank}</td>
                    <td>{r.node.name}</td>
                    <td className="num">{r.counters.received}</td>
                    <td className="num">{r.counters.backlog}</td>
                    <td className="num">{r.counters.overdue_open}</td>
                    {RATES.map((name) => (
                      <td key={name} className="num">
                        {percent(r.rates[name].value)} <span style={{ color: '#999', fontSize: 11 }}>({r.rates[name].numerator}/{r.rates[name].denominator})</span>
                      </td>
                    ))}
                    <td className="num">{r.rates.composite === null ? '—' : r.rates.composite.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>{t('reportCategories')}</h2>
          <table className="cmd-sheet cmd-avoid-break" data-testid="report-categories">
            <thead>
              <tr>
                <th>{t('category')}</th>
                <th>{t('received')}</th>
                <th>{t('backlog')}</th>
                <th>{t('response')}</th>
                <th>{t('resolution')}</th>
                <th>{t('satisfaction')}</th>
              </tr>
            </thead>
            <tbody>
              {data.byCategory
                .filter((c) => c.counters.received > 0)
                .map((c) => (
                  <tr key={c.categoryId}>
                    <td>
                      <Link to={figureUrl(resolved, 'received', c.categoryId)}>{c.name}</Link>
                    </td>
                    <td className="num">{c.counters.received}</td>
                    <td className="num">{c.counters.backlog}</td>
                    {RATES.map((name) => (
                      <td key={name} className="num">
                        {percent(c.rates[name].value)}
                      </td>
                    ))}
                  </tr>
                ))}
              <tr>
                <th>{t('total')}</th>
                <th className="num" style={{ textAlign: 'right' }}>
                  {data.counters.received}
                </th>
                <th className="num" style={{ textAlign: 'right' }}>
                  {data.counters.backlog}
                </th>
                {RATES.map((name) => (
                  <th key={name} style={{ textAlign: 'right' }}>
                    {percent(data.rates[name].value)}
                  </th>
                ))}
              </tr>
            </tbody>
          </table>

          <ReportTrends node={resolved.node} month={month} />
        </div>
      )}
    </div>
  );
}

function RatesTable({ data, scope }: { data: NodeMetrics; scope: { node: string; from: string; to: string } }) {
  const { t, measure } = useCommandI18n();
  const definition: Record<RateName, string> = {
    response: t('defResponse'),
    resolution: t('defResolution'),
    satisfaction: data.settings.satisfactionIncludesBasic ? t('defSatisfaction') : t('defSatisfactionStrict'),
  };
  const w = data.settings.weights;
  const weightSum = w.response + w.resolution + w.satisfaction || 1;
  return (
    <table className="cmd-sheet cmd-avoid-break" data-testid="report-rates">
      <thead>
        <tr>
          <th>{t('reportRateCol')}</th>
          <th>{t('reportValue')}</th>
          <th>{t('reportNumerator')}</th>
          <th>{t('reportDenominator')}</th>
          <th>{t('reportDefinition')}</th>
        </tr>
      </thead>
      <tbody>
        {RATES.map((name) => {
          const rate = data.rates[name];
          return (
            <tr key={name} data-testid={`report-rate-${name}`} data-numerator={String(rate.numerator)} data-denominator={String(rate.denominator)}>
              <td>
                {t(name)} <span style={{ color: '#999', fontSize: 11 }}>({Math.round((w[name] / weightSum) * 100)}%)</span>
              </td>
              <td className="num">
                <b>{percent(rate.value)}</b>
              </td>
              <td className="num">
                <Link to={figureUrl(scope, rate.numeratorMeasures)}>{rate.numerator}</Link> <span style={{ color: '#999', fontSize: 11 }}>{rate.numeratorMeasures.map(measure).join('+')}</span>
              </td>
              <td className="num">
                <Link to={figureUrl(scope, rate.denominatorMeasure)}>{rate.denominator}</Link> <span style={{ color: '#999', fontSize: 11 }}>{measure(rate.denominatorMeasure)}</span>
              </td>
              <td style={{ fontSize: 12 }}>{definition[name]}</td>
            </tr>
          );
        })}
        <tr data-testid="report-rate-composite">
          <td>{t('composite')}</td>
          <td className="num">
            <b>{data.rates.composite === null ? '—' : data.rates.composite.toFixed(2)}</b>
          </td>
          <td colSpan={3} style={{ fontSize: 12 }}>
            {t('compositeHint', { r: `${Math.round((w.response / weightSum) * 100)}%`, s: `${Math.round((w.resolution / weightSum) * 100)}%`, t: `${Math.round((w.satisfaction / weightSum) * 100)}%` })}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function ReportTrends({ node, month }: { node: string; month: string }) {
  const { t } = useCommandI18n();
  const scope = useMemo(() => ({ node, from: month, to: month }), [node, month]);
  const daily = useTrend(scope, 'day', 0);
  const monthly = useTrend(scope, 'month', 0);
  const labels = { received: t('received'), backlog: t('backlog'), response: t('response'), resolution: t('resolution'), satisfaction: t('satisfaction') };
  const dayOption = useMemo(() => ({ ...trendOption(daily.result.data, 'day', daily.window, labels, false, true), animation: false }), [daily.result.data, daily.window, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const monthOption = useMemo(() => ({ ...trendOption(monthly.result.data, 'month', monthly.window, labels, false, true), animation: false }), [monthly.result.data, monthly.window, t]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <>
      <div className="cmd-avoid-break">
        <h2>{t('reportTrend')}</h2>
        <EChart option={dayOption} height={CHART_HEIGHT} testId="report-trend-day" />
      </div>
      <div className="cmd-avoid-break">
        <h2>{t('reportMonthTrend')}</h2>
        <EChart option={monthOption} height={CHART_HEIGHT} testId="report-trend-month" />
      </div>
    </>
  );
}
