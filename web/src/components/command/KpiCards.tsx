// The headline figures: received, open, overdue-and-open, the three rates (三率) and the composite score.
// Every number opens the list of exactly the cases it counts; a rate opens its numerator's cases and
// offers its denominator's too.
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';
import { Tooltip } from 'antd';
import { Link } from '../../router.tsx';
import type { NodeMetrics, Rate, RateName } from './metricsApi.ts';
import { durationText, percent, useCommandI18n } from './messages.ts';
import { figureUrl, goToFigure, type Scope } from './scope.ts';

const RATES: RateName[] = ['response', 'resolution', 'satisfaction'];
const COUNTS = [
  { key: 'received', measure: 'received', label: 'received' },
  { key: 'backlog', measure: 'backlog', label: 'backlog' },
  { key: 'overdue_open', measure: 'overdue_open', label: 'overdueOpen' },
] as const;
const SECONDARY = ['dispatched', 'contacted', 'replied', 'closed', 'rated', 'overdue', 'supervised', 'reopened', 'declined', 'merged'];

/** Rate colour: green from 90 %, amber from 75 %, red below. */
export function rateColour(value: number | null | undefined, dark = false): string {
  if (value === null || value === undefined) return dark ? '#8c8c8c' : '#999';
  if (value >= 0.9) return dark ? '#73d13d' : '#389e0d';
  if (value >= 0.75) return dark ? '#ffc53d' : '#d48806';
  return dark ? '#ff7875' : '#cf1322';
}

function Card({ testId, value, label, sub, colour, onOpen, extra }: { testId: string; value: ReactNode; label: string; sub?: ReactNode; colour?: string; onOpen?: () => void; extra?: Record<string, string> }) {
  const keyOpen = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && onOpen) onOpen();
  };
  return (
    <div
      className={`cmd-kpi${onOpen ? ' cmd-clickable' : ''}`}
      data-testid={testId}
      role={onOpen ? 'link' : undefined}
      tabIndex={onOpen ? 0 : undefined}
      onClick={onOpen}
      onKeyDown={keyOpen}
      {...extra}
    >
      <div className="cmd-kpi-label">{label}</div>
      <div className="cmd-kpi-value" style={{ color: colour }}>
        {value}
      </div>
      {sub !== undefined && <div className="cmd-kpi-sub">{sub}</div>}
    </div>
  );
}

export function KpiCards({ data, scope, dark = false }: { data: NodeMetrics; scope: Scope; dark?: boolean }) {
  const { t, measure } = useCommandI18n();
  const c = data.counters;
  const stop = (e: MouseEvent) => e.stopPropagation();
  const rateSub = (name: RateName, rate: Rate) => (
    <span>
      <Tooltip title={`${t('numerator')}: ${rate.numeratorMeasures.map(measure).join(' + ')}`}>
        <Link to={figureUrl(scope, rate.numeratorMeasures)} onClick={stop} data-testid={`kpi-${name}-numerator`} data-count={String(rate.numerator)}>
          {rate.numerator}
        </Link>
      </Tooltip>
      {' / '}
      <Tooltip title={`${t('denominator')}: ${measure(rate.denominatorMeasure)}`}>
        <Link to={figureUrl(scope, rate.denominatorMeasure)} onClick={stop} data-testid={`kpi-${name}-denominator`} data-count={String(rate.denominator)}>
          {rate.denominator}
        </Link>
      </Tooltip>
    </span>
  );
  const w = data.settings.weights;
  const weightSum = w.response + w.resolution + w.satisfaction || 1;
  const pct = (x: number) => `${Math.round((x / weightSum) * 100)}%`;
  return (
    <div className="cmd-kpis" data-testid="kpi-cards">
      {COUNTS.map((k) => (
        <Card
          key={k.key}
          testId={`kpi-${k.key}`}
          extra={{ 'data-value': String(c[k.measure] ?? 0) }}
          label={t(k.label)}
          value={c[k.measure] ?? 0}
          colour={k.key === 'overdue_open' && (c[k.measure] ?? 0) > 0 ? (dark ? '#ff7875' : '#cf1322') : undefined}
          onOpen={() => goToFigure(scope, k.measure)}
        />
      ))}
      {RATES.map((name) => {
        const rate = data.rates[name];
        return (
          <Card
            key={name}
            testId={`kpi-${name}`}
            extra={{ 'data-value': rate.value === null ? '' : String(rate.value), 'data-numerator': String(rate.numerator), 'data-denominator': String(rate.denominator) }}
            label={t(name)}
            value={percent(rate.value)}
            colour={rateColour(rate.value, dark)}
            sub={rateSub(name, rate)}
            onOpen={() => goToFigure(scope, rate.numeratorMeasures)}
          />
        );
      })}
      <Card
        testId="kpi-composite"
        extra={{ 'data-value': data.rates.composite === null ? '' : String(data.rates.composite) }}
        label={t('composite')}
        value={data.rates.composite === null ? '—' : data.rates.composite.toFixed(1)}
        colour={rateColour(data.rates.composite === null ? null : data.rates.composite / 100, dark)}
        sub={
          <span className="cmd-composite-parts" data-testid="kpi-composite-weights" title={t('compositeHint', { r: pct(w.response), s: pct(w.resolution), t: pct(w.satisfaction) })}>
            {RATES.map((name) => (
              <Tooltip key={name} title={t('compositeOf', { rate: `${t(name)} ${percent(data.rates[name].value)}`, w: pct(w[name]) })}>
                <Link to={figureUrl(scope, data.rates[name].numeratorMeasures)} data-testid={`kpi-composite-${name}`}>
                  {t(`${name}Short`)}
                </Link>
              </Tooltip>
            ))}
          </span>
        }
      />
    </div>
  );
}

/** The other counted figures, each a link to its cases, and the average times. */
export function SecondaryFigures({ data, scope }: { data: NodeMetrics; scope: Scope }) {
  const { t, measure, lang } = useCommandI18n();
  return (
    <div className="cmd-secondary" data-testid="secondary-figures">
      <span className="cmd-secondary-title">{t('moreFigures')}</span>
      {SECONDARY.map((m) => (
        <Link key={m} to={figureUrl(scope, m)} className="cmd-secondary-item" data-testid={`figure-${m}`} data-value={String(data.counters[m] ?? 0)}>
          {measure(m)} <b>{data.counters[m] ?? 0}</b>
        </Link>
      ))}
      <span className="cmd-secondary-title" style={{ marginLeft: 8 }}>
        {t('averages')}
      </span>
      <span className="cmd-secondary-item">
        {t('avgDispatch')} <b>{durationText(data.averages.dispatchSeconds, lang)}</b>
      </span>
      <span className="cmd-secondary-item">
        {t('avgContact')} <b>{durationText(data.averages.contactSeconds, lang)}</b>
      </span>
      <span className="cmd-secondary-item">
        {t('avgReply')} <b>{durationText(data.averages.replySeconds, lang)}</b>
      </span>
    </div>
  );
}
