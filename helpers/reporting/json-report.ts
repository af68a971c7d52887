/**
 * e2e-report.json and its JSON Schema (draft-07). The schema is written next to the report as
 * e2e-report.schema.json so a CI job can validate what it consumes; `schemaVersion` changes only
 * when a field is removed or changes meaning (adding fields keeps the version).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_SCHEMA_VERSION, type ReportModel } from './report-model';
import { OPENAI_CONFORMANCE_SCHEMA } from './openai-conformance-view';

const int = { type: 'integer', minimum: 0 } as const;
const str = { type: 'string' } as const;
const nullable = (t: string) => ({ type: [t, 'null'] });
const summary = {
  type: 'object',
  required: ['count', 'min', 'median', 'p95', 'max', 'mean'],
  properties: { count: int, min: nullable('number'), median: nullable('number'), p95: nullable('number'), max: nullable('number'), mean: nullable('number') },
};
const obj = (required: string[], properties: Record<string, unknown>, extra = true) => ({ type: 'object', required, properties, additionalProperties: extra });

export const REPORT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://fakeai-e2e.local/e2e-report.schema.json',
  title: 'fakeai-e2e run report',
  description: 'One run of the FakeAI end-to-end suite. Durations are milliseconds; times are ISO 8601 UTC.',
  type: 'object',
  required: ['schemaVersion', 'tool', 'generatedAt', 'verdict', 'exitCode', 'verdictLine', 'timings', 'totals', 'tests', 'skips', 'defects', 'requests', 'metricsEndpoints', 'apiRoutes', 'routeCoverage', 'openaiConformance', 'exceptions', 'servers', 'artifacts'],
  properties: {
    schemaVersion: { const: REPORT_SCHEMA_VERSION, description: 'Bumped when a field is removed or changes meaning.' },
    tool: { const: 'fakeai-e2e' },
    generatedAt: { type: 'string', format: 'date-time' },
    seed: nullable('integer'),
    verdict: { enum: ['PASS', 'FAIL', 'ERROR'], description: 'ERROR: setup failed and no tests ran.' },
    exitCode: { enum: [0, 1, 2] },
    verdictLine: str,
    timings: obj(['finishedAt', 'wallMs'], { startedAt: nullable('string'), finishedAt: str, wallMs: { type: 'number', minimum: 0 }, testsMs: nullable('number') }),
    totals: obj(
      ['tests', 'passed', 'failed', 'skippedTests', 'skippedChecks', 'todo', 'knownDefects', 'fileErrors', 'exceptions', 'unexpectedExceptions'],
      { tests: int, passed: int, failed: int, skippedTests: int, skippedChecks: int, todo: int, knownDefects: int, fixedDefects: int, fileErrors: int, exceptions: int, unexpectedExceptions: int },
    ),
    tests: {
      type: 'array',
      items: obj(['file', 'capability', 'name', 'status', 'failureMessages', 'skipReason'], {
        file: str,
        capability: str,
        name: str,
        ancestors: { type: 'array', items: str },
        title: str,
        status: { enum: ['passed', 'failed', 'skipped', 'todo'] },
        durationMs: nullable('number'),
        failureMessages: { type: 'array', items: str },
        skipReason: nullable('string'),
      }),
    },
    files: { type: 'array', items: obj(['file', 'error'], { file: str, capability: str, durationMs: nullable('number'), error: nullable('string') }) },
    skips: {
      type: 'array',
      description: 'Every skipped test or check, each with its reason.',
      items: obj(['test', 'reason', 'source'], { test: str, reason: { type: 'string', minLength: 1 }, source: { enum: ['record', 'jest'] } }),
    },
    defects: { type: 'array', items: obj(['id', 'test', 'summary'], { id: str, test: str, summary: str, evidence: str }) },
    build: {
      description: 'The FakeAI build judged: version from its package metadata, where pip got it, how it was installed.',
      oneOf: [
        { type: 'null' },
        obj(['version', 'installedBy', 'source', 'fromIndex'], {
          version: nullable('string'),
          installedBy: str,
          source: { enum: ['pypi', 'checkout', 'archive', 'pip', 'pinned', 'interpreter', 'reused'] },
          origin: nullable('string'),
          commit: nullable('string'),
          archive: nullable('string'),
          fromIndex: { type: 'boolean' },
          python: nullable('string'),
        }),
      ],
    },
    ledger: obj(['standing', 'version', 'note'], { standing: { enum: ['release', 'unknown'] }, version: nullable('string'), note: str }),
    fixed: {
      type: 'array',
      description: 'Known defects that did not reproduce on a build the ledger does not cover, with the evidence of where they were.',
      items: obj(['id', 'test', 'summary', 'evidence', 'seen'], { id: str, test: str, summary: str, evidence: str, seen: str }),
    },
    blocked: { type: 'array', items: obj(['test', 'step', 'cause'], { test: str, step: str, cause: str }) },
    allowancesUnused: { type: 'array', items: obj(['defect', 'pattern', 'file', 'why'], { defect: str, pattern: str, file: str, why: str }) },
    requests: obj(['summary', 'byModel', 'items'], {
      summary: obj(['total', 'ok', 'failed', 'latencyMs', 'ttftMs', 'tokens'], { total: int, ok: int, failed: int, latencyMs: summary, ttftMs: summary, tokens: int }),
      byModel: {
        type: 'array',
        items: obj(['model', 'requests', 'streams', 'latencyMedianMs', 'ttftMedianMs', 'tokens'], {
          model: str,
          requests: int,
          streams: int,
          latencyMedianMs: nullable('number'),
          ttftMedianMs: nullable('number'),
          tokens: int,
        }),
      },
      items: {
        type: 'array',
        items: obj(['seq', 'of', 'method', 'path', 'model', 'stream', 'status', 'ok', 'durationMs', 'ttftMs', 'tokens'], {
          seq: int,
          of: int,
          batch: str,
          id: nullable('string'),
          method: str,
          path: str,
          model: nullable('string'),
          stream: { type: 'boolean' },
          status: nullable('integer'),
          ok: { type: 'boolean' },
          durationMs: { type: 'number', minimum: 0 },
          ttftMs: nullable('number'),
          tokens: { type: ['integer', 'null'], minimum: 0 },
          error: nullable('string'),
          test: nullable('string'),
          at: str,
        }),
      },
    }),
    metricsEndpoints: {
      type: 'array',
      items: obj(['path', 'served', 'status', 'durationMs', 'skipReason'], {
        path: str,
        served: { type: 'boolean' },
        status: nullable('integer'),
        contentType: nullable('string'),
        durationMs: nullable('number'),
        skipReason: nullable('string'),
      }),
    },
    apiRoutes: obj(['exercised', 'calls', 'violations', 'undocumented', 'byRoute'], {
      exercised: { ...int, description: 'Documented (/openapi.json) routes called at least once; WebSocket routes are counted in websocket.' },
      websocket: { ...int, description: 'WebSocket routes (method WS; FastAPI leaves them out of /openapi.json) called at least once.' },
      calls: int,
      violations: int,
      undocumented: { ...int, description: 'Distinct paths called that /openapi.json lacks, WebSockets not included.' },
      byRoute: {
        type: 'array',
        items: obj(['method', 'route', 'path', 'calls', 'violations', 'statuses', 'drivers'], {
          method: str,
          route: nullable('string'),
          path: nullable('string'),
          kind: { enum: ['documented', 'websocket', 'undocumented'] },
          calls: int,
          violations: int,
          statuses: { type: 'array', items: { type: 'integer' } },
          drivers: { type: 'array', items: str },
        }),
      },
    }),
    routeCoverage: {
      description: 'Every served route (/openapi.json operations plus the WebSockets), exercised or not, with the reason; null when no API test ran.',
      oneOf: [
        { type: 'null' },
        obj(['counted', 'exercised', 'percent', 'floor', 'ok', 'excluded', 'websocket', 'missing', 'staleExclusions', 'selection', 'rows'], {
          counted: { ...int, description: 'Served routes that count toward the floor (not excluded).' },
          exercised: { ...int, description: 'Counted routes with at least one exchange.' },
          percent: { type: 'number', minimum: 0, maximum: 100 },
          floor: { type: 'number', minimum: 0, maximum: 100 },
          ok: { type: 'boolean', description: 'percent >= floor. The run fails for it only when every API test file ran.' },
          excluded: int,
          websocket: int,
          missing: { type: 'array', items: str, description: 'Counted routes no test exercised.' },
          staleExclusions: { type: 'array', items: str, description: 'Exclusions naming a route the server does not serve.' },
          selection: { type: 'boolean', description: 'Only selected tests ran (test paths or -t), so routes they did not exercise are expected.' },
          rows: {
            type: 'array',
            items: {
              ...obj(['route', 'kind', 'exercised', 'excluded', 'requests', 'statuses', 'violations', 'drivers', 'reason'], {
                route: { type: 'string', pattern: '^[A-Z]+ /' },
                kind: { enum: ['documented', 'websocket'] },
                exercised: { type: 'boolean' },
                excluded: { type: 'boolean' },
                requests: int,
                statuses: { type: 'array', items: { type: 'integer' } },
                violations: int,
                drivers: { type: 'array', items: str },
                reason: { type: ['string', 'null'], minLength: 1 },
              }),
              // A route nobody exercised always says why.
              if: { properties: { exercised: { const: false } } },
              then: { properties: { reason: { type: 'string' } } },
            },
          },
        }),
      ],
    },
    openaiConformance: OPENAI_CONFORMANCE_SCHEMA,
    explorations: {
      type: 'array',
      description: 'Property-based explorations: one per property run, with the shrunk failure (curl reproducer, seed and fast-check path) when one failed.',
      items: obj(['test', 'seed', 'path', 'budgetMs', 'durationMs', 'cases', 'shrinks', 'interrupted', 'coverage', 'knownDefects', 'viewsDown', 'failure'], {
        test: str,
        seed: { type: 'integer' },
        path: nullable('string'),
        budgetMs: int,
        durationMs: int,
        cases: int,
        shrinks: int,
        interrupted: { type: 'boolean' },
        coverage: { type: 'object', additionalProperties: int },
        knownDefects: { type: 'object', additionalProperties: int },
        viewsDown: { type: 'object', additionalProperties: str },
        failure: {
          oneOf: [
            { type: 'null' },
            obj(['method', 'path', 'body', 'curl', 'problems', 'replay'], { method: str, path: str, body: {}, curl: str, problems: { type: 'array', items: str }, replay: str }),
          ],
        },
      }),
    },
    exceptions: {
      type: 'array',
      items: obj(['server', 'tests', 'headline', 'text', 'allowed'], {
        server: str,
        tests: { type: 'array', items: str },
        headline: str,
        text: str,
        allowed: { type: 'boolean' },
        // Set when allowed: the known defect of the allowance that excused it, and the test file.
        defect: str,
        file: str,
      }),
    },
    servers: {
      type: 'array',
      items: obj(['name', 'baseUrl', 'spawned'], {
        name: str,
        baseUrl: str,
        port: nullable('integer'),
        spawned: { type: 'boolean' },
        pid: nullable('integer'),
        command: nullable('string'),
        launch: { ...nullable('string'), description: 'preload: forked from the pre-importing launcher; spawn: a fresh interpreter (helpers/server/launcher.ts).' },
        fakeaiVersion: nullable('string'),
        fakeaiVersionNote: { ...nullable('string'), description: 'Why fakeaiVersion is null: a reused server does not report its package version.' },
        bootToReadyMs: nullable('number'),
        logFile: nullable('string'),
      }),
    },
    harnessError: { oneOf: [{ type: 'null' }, obj(['code', 'message'], { code: str, message: str })] },
    teardownError: nullable('string'),
    artifacts: obj(['json', 'junit', 'html', 'serverLog'], { json: str, junit: nullable('string'), html: str, serverLog: nullable('string') }),
  },
  additionalProperties: false,
} as const;


export const SCHEMA_FILE_NAME = 'e2e-report.schema.json';

/** Writes the report and, beside it, the schema it follows. */
export function writeJsonReport(model: ReportModel, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
  writeFileSync(path.join(path.dirname(file), SCHEMA_FILE_NAME), `${JSON.stringify(REPORT_SCHEMA, null, 2)}\n`);
}
