/**
 * A small HTTP load generator over node:http with keep-alive: closed-loop workers for maximum
 * throughput and an open-loop pacer for latency at a fixed arrival rate (latency counted from the
 * moment a request was due, so a stalled server cannot hide its queue: no coordinated omission).
 */
import http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 256) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, body?: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path,
          headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
          response.on('error', reject);
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  post(path: string, body: string, headers?: Record<string, string>, timeoutMs?: number) {
    return this.request('POST', path, body, headers, timeoutMs);
  }

  close() {
    this.agent.destroy();
  }
}

export interface LoadResult {
  /** Requests that completed within the measured window. */
  completed: number;
  /** Successful requests including the warm-up (what the server stored). */
  okIncludingWarmup: number;
  ok: number;
  /** status (or 'network') → count, for everything that was not `okStatus`. */
  failures: Record<string, number>;
  /** First few failure bodies, to print. */
  samples: string[];
  latenciesMs: number[];
  elapsedMs: number;
}

function emptyResult(): LoadResult {
  return { completed: 0, okIncludingWarmup: 0, ok: 0, failures: {}, samples: [], latenciesMs: [], elapsedMs: 0 };
}

function record(result: LoadResult, outcome: HttpResult | Error, latencyMs: number, okStatus: number) {
  result.completed++;
  result.latenciesMs.push(latencyMs);
  if (!(outcome instanceof Error) && outcome.status === okStatus) {
    result.ok++;
    return;
  }
  const key = outcome instanceof Error ? 'network' : String(outcome.status);
  result.failures[key] = (result.failures[key] ?? 0) + 1;
  if (result.samples.length < 5) result.samples.push(outcome instanceof Error ? outcome.message : `${outcome.status} ${outcome.body.slice(0, 300)}`);
}

export interface LoadSpec {
  client: HttpClient;
  path: string;
  /** Returns the next request body (pre-serialised JSON). */
  nextBody: () => string;
  okStatus?: number;
}

/**
 * `concurrency` workers, each sending its next request as soon as the previous one answered.
 * Requests finishing during the warm-up are not counted.
 */
export async function closedLoop(spec: LoadSpec & { concurrency: number; warmupMs: number; durationMs: number }): Promise<LoadResult> {
  const result = emptyResult();
  const okStatus = spec.okStatus ?? 201;
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      let outcome: HttpResult | Error;
      try {
        outcome = await spec.client.post(spec.path, spec.nextBody());
      } catch (error) {
        outcome = error as Error;
      }
      const done = performance.now();
      if (!(outcome instanceof Error) && outcome.status === okStatus) result.okIncludingWarmup++;
      if (sent >= measureFrom && done <= end) record(result, outcome, done - sent, okStatus);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  result.elapsedMs = spec.durationMs;
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `ratePerS` requests per second for `durationMs` whatever the answers, and measures each
 * request's latency from the moment it was due. Requests due during the warm-up are not counted.
 */
export async function openLoop(spec: LoadSpec & { ratePerS: number; warmupMs: number; durationMs: number }): Promise<LoadResult & { lateSendsMs: number }> {
  const result = emptyResult();
  const okStatus = spec.okStatus ?? 201;
  const intervalMs = 1000 / spec.ratePerS;
  const total = Math.floor(((spec.warmupMs + spec.durationMs) / 1000) * spec.ratePerS);
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const inFlight = new Set<Promise<void>>();
  let lateSendsMs = 0;
  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Fire every request that is due by now (a timer tick may cover several).
    while (i < total && start + i * intervalMs <= now) {
      const due = start + i * intervalMs;
      lateSendsMs = Math.max(lateSendsMs, now - due);
      const counted = due >= measureFrom;
      const request = spec.client
        .post(spec.path, spec.nextBody())
        .then(
          (response) => response,
          (error: Error) => error,
        )
        .then((outcome) => {
          if (!(outcome instanceof Error) && outcome.status === okStatus) result.okIncludingWarmup++;
          if (counted) record(result, outcome, performance.now() - due, okStatus);
        });
      const tracked: Promise<void> = request.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      i++;
    }
    const nextDue = start + i * intervalMs;
    await sleep(Math.max(0, Math.min(nextDue - performance.now(), 5)));
  }
  await Promise.all(inFlight);
  result.elapsedMs = spec.durationMs;
  return { ...result, lateSendsMs };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
