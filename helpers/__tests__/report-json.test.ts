import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { sampleInput } from '../__fixtures__/reporting-project/sample-run';
import { REPORT_SCHEMA, SCHEMA_FILE_NAME, writeJsonReport } from '../reporting/json-report';
import { buildReportModel, REPORT_SCHEMA_VERSION } from '../reporting/report-model';

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(REPORT_SCHEMA);
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('e2e-report.json', () => {
  const validate = validator();

  it('validates against its schema as written to disk, with the schema beside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-json-'));
    const file = path.join(dir, 'e2e-report.json');
    writeJsonReport(buildReportModel(sampleInput()), file);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(JSON.parse(readFileSync(path.join(dir, SCHEMA_FILE_NAME), 'utf8'))).toEqual(clone(REPORT_SCHEMA));
  });

  it('validates a setup-error report too', () => {
    const m = buildReportModel(sampleInput({ snapshot: null, harness: null, records: [], harnessError: { code: 'NEVER_READY', message: 'x' } }));
    expect(validate(clone(m)) ? [] : validate.errors).toEqual([]);
  });

  it.each([
    ['a missing schemaVersion', (r: Record<string, any>) => delete r.schemaVersion],
    ['another schemaVersion', (r: Record<string, any>) => (r.schemaVersion = 2)],
    ['an unknown verdict', (r: Record<string, any>) => (r.verdict = 'MAYBE')],
    ['a negative count', (r: Record<string, any>) => (r.totals.passed = -1)],
    ['a skip without a reason', (r: Record<string, any>) => (r.skips[0].reason = '')],
    ['a request without a duration', (r: Record<string, any>) => delete r.requests.items[0].durationMs],
    ['a non-ISO timestamp', (r: Record<string, any>) => (r.generatedAt = 'yesterday')],
    ['an unknown top-level field', (r: Record<string, any>) => (r.extra = 1)],
  ])('rejects a report with %s', (_what, corrupt) => {
    const report = clone(buildReportModel(sampleInput())) as Record<string, any>;
    corrupt(report);
    expect(validate(report)).toBe(false);
  });
});
