import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBaseline, RESULT_SCHEMA, RESULT_VERSION } from '../bench/result';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-result-'));
const write = (name: string, content: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
};
const metric = { key: 'latency.x.p50Ms', direction: 'lower-is-better', absFloor: 0.5, repeats: [1, 2, 3] };

describe('reading a baseline', () => {
  it('returns the metrics of a result of this version', () => {
    const f = write('ok.json', JSON.stringify({ schema: RESULT_SCHEMA, version: RESULT_VERSION, startedAt: 'T', metrics: [metric], extra: 1 }));
    expect(readBaseline(f)).toEqual({ startedAt: 'T', metrics: [metric], loadAvg: null });
  });

  it('refuses a result written by another schema version', () => {
    const f = write('v0.json', JSON.stringify({ schema: RESULT_SCHEMA, version: 0, startedAt: 'T', metrics: [] }));
    expect(() => readBaseline(f)).toThrow(/version 0/);
  });

  it('refuses files that are not bench results, naming the file', () => {
    expect(() => readBaseline(write('junit.json', JSON.stringify({ numTests: 3 })))).toThrow(/junit\.json: not a bench result/);
    expect(() => readBaseline(write('bad.json', '{oops'))).toThrow(/cannot read it as JSON/);
  });
});
