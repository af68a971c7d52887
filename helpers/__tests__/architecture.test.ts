/**
 * The tree is the architecture (docs/architecture.md): no import cycle, and helpers/ folders import
 * only the layers below them. Each rule is also fed a crafted graph that breaks it.
 */
import { findCycles, layerViolations, readImportGraph, type ImportGraph } from '../../scripts/lib/import-graph';
import { PROJECT_ROOT } from '../core/config';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the project tree', () => {
  const graph = readImportGraph(PROJECT_ROOT, ['helpers', 'scripts', 'e2e']);

  test('reads the imports it judges (the graph is not empty and sees a known edge)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('helpers/server/fakeai-server.ts')).toContain('helpers/server/readiness.ts');
  });

  test('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  test('imports only downwards between helpers/ folders, and helpers/ holds no loose library file', () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});

describe('the architecture rules on bad data', () => {
  test('a two-file cycle and a self-import are found', () => {
    const cycles = findCycles(graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['a.ts'], 'c.ts': ['c.ts'], 'd.ts': ['a.ts'] }));
    expect(cycles).toEqual([['a.ts', 'b.ts'], ['c.ts']]);
  });

  test('the cycle this layout removed (config → allowances → log-watcher → config) is found', () => {
    const cycles = findCycles(
      graphOf({ 'helpers/config.ts': ['helpers/allowances.ts'], 'helpers/allowances.ts': ['helpers/log-watcher.ts'], 'helpers/log-watcher.ts': ['helpers/config.ts'] }),
    );
    expect(cycles).toHaveLength(1);
  });

  test('a lower folder importing a higher one fails, naming both', () => {
    expect(layerViolations(graphOf({ 'helpers/core/x.ts': ['helpers/reporting/y.ts'] }))).toEqual([
      'helpers/core/x.ts imports helpers/reporting/y.ts: helpers/core/ sits below helpers/reporting/ and must not import it',
    ]);
  });

  test('a loose file at the top of helpers/, an unknown folder, and library code importing a test fixture fail', () => {
    const problems = layerViolations(
      graphOf({ 'helpers/loose.ts': [], 'helpers/misc/z.ts': [], 'helpers/api/a.ts': ['helpers/__fixtures__/f.ts'], 'helpers/chat/c.ts': ['scripts/e2e.ts'] }),
    );
    expect(problems).toHaveLength(4);
  });

  test('an upward import from a self-test is allowed', () => {
    expect(layerViolations(graphOf({ 'helpers/__tests__/t.test.ts': ['helpers/jest/reporter.ts'] }))).toEqual([]);
  });
});
