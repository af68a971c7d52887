/**
 * Runs the exploration against a live server: learns its facts, sends one generated case at a
 * time (counters are read before and after each, so cases never overlap), holds it to the
 * invariants, lets known defects through by their symptom, and on a failure has fast-check shrink
 * the case and returns it as a reproducer. Time-bounded by the budget; seeded by the run's seed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Contract, type OpenApiDocument } from '../api/contract';
import type { Counters } from '../checks/metrics-delta';
import { CHAT_ENDPOINT } from '../checks/metrics-delta';
import { KvCacheMetricsSchema, DynamoMetricsSchema, MetricsJsonSchema, ModelStatsSchema } from '../checks/schemas';
import { createHttp, type Http, HttpTransportError } from '../core/http';
import { formatProblems } from '../core/problems';
import type { ExplorationRecord } from '../core/run-records';
import { collectStream } from '../core/sse';
import { scanLog } from '../logs/log-watcher';
import { ServerLog } from '../logs/server-log';
import type { RestSample } from '../server/server-rest';
import { factsFromModelList, type ServerFacts, textModels } from './facts';
import { exploreCases, type ExploreCase } from './generators';
import { checkCase, type CounterReadings, type Observation, type ViewResult } from './invariants';
import { curlCommand, describeCase, replayCommand } from './reproducer';
import { triage } from './symptoms';
import { BY_MODEL_VIEW, metricsViews, viewBodyProblems, viewUrl } from './views';

export interface ExplorerSetup {
  baseUrl: string;
  contract: Contract;
  facts: ServerFacts;
  views: string[];
  /** Per model, the window the server enforces, from its own 400 message (absent: it refused nothing). */
  enforced: Map<string, number>;
  logFile: string | undefined;
  /** Sees the server at rest, so a case's log wait can end early (helpers/server/server-rest.ts). */
  atRest?: () => RestSample | undefined;
  timeoutMs: number;
}

/** A request no window can hold: the server's refusal states the window it enforces. */
const HUGE_LIMIT = 1_000_000_000;

/** Reads the facts the generators need from the server itself. */
export async function prepareExplorer(baseUrl: string, opts: { logFile?: string; atRest?: () => RestSample | undefined; timeoutMs: number }): Promise<ExplorerSetup> {
  const http = createHttp(baseUrl, { timeoutMs: opts.timeoutMs });
  // The document (FakeAI builds it on first request: ~0.3 s of its CPU) and the model facts do not
  // depend on each other: asked for together, the setup waits for the slower, not both.
  const fetchDoc = async () => {
    const doc = await http.get<OpenApiDocument>('/openapi.json');
    if (doc.status !== 200 || !doc.json) throw new Error(`GET ${baseUrl}/openapi.json answered ${doc.status}: the explorer builds its requests from it`);
    return doc.data;
  };
  const learnModels = async () => {
    const models = await http.get('/v1/models');
    if (models.status !== 200) throw new Error(`GET ${baseUrl}/v1/models answered ${models.status}: the explorer needs the model list`);
    const facts = factsFromModelList(models.data);
    const enforced = new Map<string, number>();
    // One refused request per model (refusals move no counter): the window the server actually holds it to.
    await Promise.all(
      textModels(facts).map(async (m) => {
        const r = await http.post('/v1/chat/completions', { model: m.id, messages: [{ role: 'user', content: 'hi' }], max_tokens: HUGE_LIMIT });
        const said = /maximum context length is (\d+) tokens/.exec(r.text);
        if (r.status === 400 && said) enforced.set(m.id, Number(said[1]));
      }),
    );
    return { facts, enforced };
  };
  const [doc, { facts, enforced }] = await Promise.all([fetchDoc(), learnModels()]);
  return { baseUrl, contract: new Contract(doc), facts, views: metricsViews(doc), enforced, logFile: opts.logFile, atRest: opts.atRest, timeoutMs: opts.timeoutMs };
}

/** Views that went down with a known defect: not read again in this exploration (each read of a poisoned view costs a traceback). */
type DownViews = Map<string, { defect: string; sinceCase: number }>;

async function readJson(http: Http, p: string): Promise<{ status: number | null; data: unknown }> {
  try {
    const r = await http.get(p);
    return { status: r.status, data: r.json ? r.data : undefined };
  } catch (e) {
    if (e instanceof HttpTransportError) return { status: null, data: undefined };
    throw e;
  }
}

const COUNTER_VIEWS = ['/kv-cache/metrics', '/dynamo/metrics/json', '/metrics', BY_MODEL_VIEW] as const;

/** Counters from whichever counter views answered with a valid body. */
export function countersFrom(model: string, bodies: Partial<Record<(typeof COUNTER_VIEWS)[number], unknown>>): { counters: Partial<Counters>; unread: string[] } {
  const counters: Partial<Counters> = {};
  const unread: string[] = [];
  const kv = KvCacheMetricsSchema.safeParse(bodies['/kv-cache/metrics']);
  if (kv.success) {
    const cp = kv.data.cache_performance;
    const chat = cp.endpoint_stats[CHAT_ENDPOINT] ?? { hits: 0, misses: 0 };
    const workers = Object.values(kv.data.smart_router.workers);
    Object.assign(counters, {
      kvLookups: cp.total_cache_hits + cp.total_cache_misses,
      kvChatLookups: chat.hits + chat.misses,
      routerRequests: workers.reduce((a, w) => a + w.total_requests, 0),
      routerActive: workers.reduce((a, w) => a + w.active_requests, 0),
    });
  } else unread.push('/kv-cache/metrics');
  const dyn = DynamoMetricsSchema.safeParse(bodies['/dynamo/metrics/json']);
  if (dyn.success) counters.dynamoTotal = dyn.data.summary.total_requests;
  else unread.push('/dynamo/metrics/json');
  const m = MetricsJsonSchema.safeParse(bodies['/metrics']);
  if (m.success) Object.assign(counters, { completedStreams: m.data.streaming_stats.completed_streams, activeStreams: m.data.streaming_stats.active_streams });
  else unread.push('/metrics');
  const bm = bodies[BY_MODEL_VIEW] as { request_count?: unknown } | undefined;
  const stats = ModelStatsSchema.safeParse(bm);
  if (stats.success) counters.perModel = { [model]: { requests: stats.data.request_count, prompt: stats.data.tokens.prompt, completion: stats.data.tokens.completion } };
  else if (bm && bm.request_count === 0) counters.perModel = { [model]: { requests: 0, prompt: 0, completion: 0 } };
  else unread.push(viewUrl(BY_MODEL_VIEW, model));
  return { counters, unread };
}

/** Sends one case and observes everything the invariants look at. */
export async function runCase(setup: ExplorerSetup, c: ExploreCase, down: DownViews): Promise<Observation> {
  const http = createHttp(setup.baseUrl, { timeoutMs: setup.timeoutMs });
  const log = setup.logFile ? new ServerLog(setup.logFile) : undefined;
  const mark = log?.size() ?? 0;
  const live = (t: string) => !down.has(t) && setup.views.includes(t);
  const beforeBodies: Record<string, unknown> = {};
  await Promise.all(COUNTER_VIEWS.filter(live).map(async (t) => (beforeBodies[t] = (await readJson(http, viewUrl(t, c.model))).data)));
  const response = await collectStream(setup.baseUrl, c.body, { path: c.path, timeoutMs: setup.timeoutMs });
  const afterBodies: Record<string, unknown> = {};
  const views: ViewResult[] = await Promise.all(
    setup.views.filter(live).map(async (t): Promise<ViewResult> => {
      const url = viewUrl(t, c.model);
      try {
        const r = await http.get(url);
        if (r.json) afterBodies[t] = r.data;
        return { path: t, status: r.status, contentType: r.contentType, problems: r.status === 200 ? viewBodyProblems(t, r, setup.contract) : [] };
      } catch (e) {
        if (e instanceof HttpTransportError) return { path: t, status: null, contentType: null, problems: [] };
        throw e;
      }
    }),
  );
  const before = countersFrom(c.model, beforeBodies);
  const after = countersFrom(c.model, afterBodies);
  const counters: CounterReadings = { before: before.counters, after: after.counters, unread: [...new Set([...before.unread, ...after.unread, ...[...down.keys()]])] };
  let logFindings: Observation['logFindings'] = [];
  if (log) {
    // A traceback can land just after the answer that caused it: read once the log is quiet.
    await log.waitForQuiet({ atRest: setup.atRest });
    logFindings = scanLog(log.readRange(mark), { baseOffset: mark });
  }
  return { response, views, counters, logFindings };
}

export interface ExploreOptions {
  /** Names the property in replay paths ("short/12:0:3"), so a path replays only the property it came from. */
  propertyId: string;
  budgetMs: number;
  seed: number;
  /** "<propertyId>/<fast-check path>" to replay instead of exploring; another property's path is ignored. */
  path?: string;
  /** Largest prompt drawn, in tokens. */
  maxPromptTokens: number;
  testName: string;
  specFile: string;
  runDir: string;
  /** Time the shrinking of a failure may take after the budget; it replays from the failure's path. */
  shrinkMs?: number;
}

export type ExploreResult = Omit<ExplorationRecord, 'kind' | 'at'> & { message: string | null };

/** How the last case the runner started ended (the runner awaits it even when fast-check no longer does). */
export type LastOutcome<C> = { c: C; ok: true } | { c: C; ok: false; error: unknown };

/**
 * The case the budget cut off: fast-check stops awaiting it ("its outcome gets ignored") and, if no
 * case had completed yet, reports the run as failed without a counterexample. The runner awaits it
 * anyway, so its outcome is known: `pass` when it held every invariant (the run is then not a
 * failure, whatever fast-check says), `fail` when it broke one (a finding, not shrunk, rather than
 * a failure nobody sees), undefined when no case was cut off.
 */
export function abandonedCase<C>(
  details: { interrupted: boolean; counterexample: unknown; numRuns: number },
  casesStarted: number,
  last: LastOutcome<C> | undefined,
): { verdict: 'pass' } | { verdict: 'fail'; c: C; error: unknown } | undefined {
  if (!details.interrupted || details.counterexample || !last || casesStarted <= details.numRuns) return undefined;
  return last.ok ? { verdict: 'pass' } : { verdict: 'fail', c: last.c, error: last.error };
}

const coverageKey = (c: ExploreCase) => `${c.endpoint}${c.stream ? ' stream' : ''}${c.pastWindow ? ' past-window' : ''}`;

/** Explores until the budget is spent or a case fails; a failure is shrunk and described. */
export async function explore(setup: ExplorerSetup, o: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const down: DownViews = new Map();
  const coverage: Record<string, number> = {};
  const knownDefects: Record<string, number> = {};
  let cases = 0;
  // fast-check abandons a case still running when the budget ends ("its outcome gets ignored"),
  // but the request goes on: awaited before anything else runs, or it lands in the next case's
  // counters (seen: an embeddings request counted twice, +2 where +1 was due).
  let inflight: Promise<unknown> = Promise.resolve();
  let last: LastOutcome<ExploreCase> | undefined;
  const runOne = async (c: ExploreCase): Promise<void> => {
    cases++;
    coverage[coverageKey(c)] = (coverage[coverageKey(c)] ?? 0) + 1;
    const obs = await runCase(setup, c, down);
    const t = triage(checkCase(c, obs), { c, o: obs, enforcedWindow: setup.enforced.get(c.model) });
    for (const [d, k] of Object.entries(t.known)) knownDefects[d] = (knownDefects[d] ?? 0) + k;
    for (const { problem: p, defect } of t.explained) {
      const view = setup.views.find((v) => p.invariant === 'metrics-view' && p.at === `GET ${v}`);
      if (view && !down.has(view)) down.set(view, { defect, sinceCase: cases });
    }
    if (t.unexplained.length > 0) throw new Error(formatProblems(describeCase(c), t.unexplained));
  };
  const property = fc.asyncProperty(exploreCases(setup.facts, setup.contract, { maxPromptTokens: o.maxPromptTokens }), async (c) => {
    await inflight;
    const run = runOne(c);
    inflight = run.then(
      () => (last = { c, ok: true }),
      (error: unknown) => (last = { c, ok: false, error }),
    );
    return run;
  });
  const [pathOwner, fcPath] = o.path?.includes('/') ? o.path.split('/') : [o.propertyId, o.path];
  const replayPath = pathOwner === o.propertyId ? fcPath : undefined;
  const replaying = replayPath !== undefined;
  let details = await fc.check(property, {
    seed: o.seed,
    path: replayPath,
    numRuns: replaying ? 1 : 1_000_000,
    interruptAfterTimeLimit: o.budgetMs,
    markInterruptAsFailure: false,
    endOnFailure: replaying ? false : undefined,
  });
  await inflight;
  let shrinks = details.numShrinks;
  if (details.failed && details.counterexamplePath && !replaying && details.interrupted) {
    // The budget ran out while shrinking: go on from where it stopped, under the shrink allowance.
    details = await fc.check(property, { seed: o.seed, path: details.counterexamplePath, interruptAfterTimeLimit: o.shrinkMs ?? 60_000, markInterruptAsFailure: false });
    shrinks += details.numShrinks;
    await inflight;
  }
  const durationMs = Math.round(performance.now() - started);
  const viewsDown = Object.fromEntries([...down].map(([v, d]) => [v, `${d.defect} since case ${d.sinceCase}`]));
  const base = { test: o.testName, seed: o.seed, budgetMs: o.budgetMs, durationMs, cases, shrinks, interrupted: details.interrupted, coverage, knownDefects, viewsDown };
  const cutOff = replaying ? undefined : abandonedCase(details, cases, last);
  if (cutOff?.verdict !== 'fail' && (!details.failed || !details.counterexample || cutOff?.verdict === 'pass')) {
    const why = details.failed && cutOff?.verdict !== 'pass' ? `fast-check stopped without a counterexample: ${String(details.errorInstance ?? 'interrupted')}` : null;
    return { ...base, path: null, failure: null, message: why };
  }
  const c = cutOff?.verdict === 'fail' ? cutOff.c : details.counterexample![0];
  // A case the budget cut off has no fast-check path: it is reported as sent, not shrunk.
  const p = cutOff?.verdict === 'fail' ? null : `${o.propertyId}/${details.counterexamplePath!}`;
  const bodyFile = path.join(o.runDir, `explore-reproducer-${o.seed}.json`);
  writeFileSync(bodyFile, JSON.stringify(c.body));
  // The counterexample is the last case that failed, so the error is its own.
  const error = cutOff?.verdict === 'fail' ? cutOff.error : details.errorInstance;
  const errorText = error instanceof Error ? error.message : String(error);
  const problems = errorText.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  const curl = curlCommand(setup.baseUrl, c, bodyFile);
  const replay = p === null ? `npm run e2e -- --seed ${o.seed} -- ${o.specFile} (the case the budget cut off; it may need a larger --explore-budget to come up again)` : replayCommand(o.seed, p, o.specFile, o.testName);
  const message = [
    p === null
      ? `Exploration found a case no known defect explains in the case the budget cut off (seed ${o.seed}, ${cases} cases, not shrunk):`
      : `Exploration found a case no known defect explains (seed ${o.seed}, path ${p}, ${cases} cases, ${shrinks} shrinks):`,
    describeCase(c),
    ...problems.map((l) => `  - ${l}`),
    `Reproduce: ${curl}`,
    `Replay:    ${replay}`,
  ].join('\n');
  return { ...base, path: p, failure: { method: 'POST', path: c.path, body: c.body, curl, problems, replay }, message };
}
