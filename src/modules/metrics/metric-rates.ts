import type { Counters } from './metrics.repository.ts';

/**
 * The three rates (三率) and the composite score, computed from counters. Defaults follow Beijing's
 * 接诉即办 assessment (response 20%, resolution 40%, satisfaction 40%); each city can change them.
 */
export interface MetricSettings {
  /** Does 基本满意 count as satisfied? */
  satisfactionIncludesBasic: boolean;
  /** Composite weights; they need not add up to 1 (the score divides by their sum). */
  weights: { response: number; resolution: number; satisfaction: number };
}

export const defaultMetricSettings: MetricSettings = {
  satisfactionIncludesBasic: true,
  weights: { response: 0.2, resolution: 0.4, satisfaction: 0.4 },
};

export function mergeMetricSettings(stored: Partial<MetricSettings> | null | undefined): MetricSettings {
  return {
    satisfactionIncludesBasic: stored?.satisfactionIncludesBasic ?? defaultMetricSettings.satisfactionIncludesBasic,
    weights: { ...defaultMetricSettings.weights, ...(stored?.weights ?? {}) },
  };
}

/** A rate with the counts it is made of, so every figure names its numerator and denominator. */
export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  /** The measures to list for "the cases it counts" (numerator, denominator). */
  numeratorMeasures: string[];
  denominatorMeasure: string;
}

const rate = (numerator: number, denominator: number, numeratorMeasures: string[], denominatorMeasure: string): Rate => ({
  value: denominator > 0 ? numerator / denominator : null,
  numerator,
  denominator,
  numeratorMeasures,
  denominatorMeasure,
});

export interface Rates {
  response: Rate;
  resolution: Rate;
  satisfaction: Rate;
  ratingCoverage: Rate;
  /** 0–100, over the rates that have a denominator; null when none has. */
  composite: number | null;
}

export function computeRates(c: Counters, settings: MetricSettings = defaultMetricSettings): Rates {
  const satisfiedMeasures = settings.satisfactionIncludesBasic ? ['satisfied', 'basically_satisfied'] : ['satisfied'];
  const response = rate(c.contacted_in_time, c.dispatched, ['contacted_in_time'], 'dispatched');
  const resolution = rate(c.rated_resolved, c.rated, ['rated_resolved'], 'rated');
  const satisfaction = rate(
    satisfiedMeasures.reduce((sum, m) => sum + c[m], 0),
    c.rated,
    satisfiedMeasures,
    'rated',
  );
  const ratingCoverage = rate(c.rated, c.replied, ['rated'], 'replied');
  const parts: Array<[number, number]> = [];
  for (const [value, weight] of [
    [response.value, settings.weights.response],
    [resolution.value, settings.weights.resolution],
    [satisfaction.value, settings.weights.satisfaction],
  ] as const) {
    if (value !== null && weight > 0) parts.push([value, weight]);
  }
  const weight = parts.reduce((sum, [, w]) => sum + w, 0);
  const composite = weight > 0 ? Math.round((parts.reduce((sum, [v, w]) => sum + v * w, 0) / weight) * 10000) / 100 : null;
  return { response, resolution, satisfaction, ratingCoverage, composite };
}

/** Average whole seconds per counted case (null when none). */
export function averages(c: Counters) {
  const avg = (seconds: number, count: number) => (count > 0 ? Math.round(seconds / count) : null);
  return {
    dispatchSeconds: avg(c.dispatch_seconds, c.dispatched),
    contactSeconds: avg(c.contact_seconds, c.contacted),
    replySeconds: avg(c.reply_seconds, c.replied),
  };
}

export function addCounters(into: Counters, from: Counters) {
  for (const key of Object.keys(from)) into[key] = (into[key] ?? 0) + from[key];
  return into;
}
