/**
 * What the reporter keeps of Jest's results: plain JSON, written to the run directory at
 * onRunComplete. The CLI finalises the reports from it after runCLI returns, i.e. after
 * globalTeardown has recorded the exceptions left outside any test; and it still exists when
 * globalTeardown throws and runCLI hands back no results at all.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { AggregatedResult } from '@jest/test-result';

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo';

export interface TestOutcome {
  file: string;
  capability: string;
  /** Describe titles and test title joined by spaces: the name tests put in records' `test`. */
  name: string;
  ancestors: string[];
  title: string;
  status: TestStatus;
  durationMs: number | null;
  failureMessages: string[];
}

export interface FileOutcome {
  file: string;
  capability: string;
  durationMs: number | null;
  /** A file-level failure (did not compile, threw at load, hook failed): its message. */
  error: string | null;
}

export interface JestSnapshot {
  startedAt: number;
  finishedAt: number;
  success: boolean;
  numTotalTests: number;
  files: FileOutcome[];
  tests: TestOutcome[];
}

export const SNAPSHOT_FILE = 'jest-results.json';

/** "e2e/chat-streaming.test.ts" → "chat-streaming": one capability per test file. */
export function capabilityOf(file: string): string {
  return path.basename(file).replace(/\.(test|spec|fixture)\.[cm]?[jt]sx?$/, '').replace(/\.[cm]?[jt]sx?$/, '');
}

function status(s: string): TestStatus {
  if (s === 'passed' || s === 'failed' || s === 'todo') return s;
  return 'skipped'; // pending, skipped, disabled, focused-out: all "did not run"
}

export function snapshotFromResults(results: AggregatedResult, rootDir: string, finishedAt = Date.now()): JestSnapshot {
  const files: FileOutcome[] = [];
  const tests: TestOutcome[] = [];
  for (const tr of results.testResults) {
    const file = path.relative(rootDir, tr.testFilePath);
    const capability = capabilityOf(file);
    const durationMs = tr.perfStats?.end && tr.perfStats?.start ? tr.perfStats.end - tr.perfStats.start : null;
    files.push({ file, capability, durationMs, error: tr.testExecError ? (tr.failureMessage ?? tr.testExecError.message) : null });
    for (const a of tr.testResults) {
      tests.push({
        file,
        capability,
        name: a.fullName || [...a.ancestorTitles, a.title].join(' '),
        ancestors: a.ancestorTitles,
        title: a.title,
        status: status(a.status),
        durationMs: a.duration ?? null,
        failureMessages: a.failureMessages,
      });
    }
  }
  return {
    startedAt: results.startTime,
    finishedAt,
    // Jest sets results.success only after onRunComplete; this is its own rule, minus reporter errors.
    success: results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0 && !results.snapshot.failure,
    numTotalTests: results.numTotalTests,
    files,
    tests,
  };
}

export function writeSnapshot(runDir: string, snapshot: JestSnapshot): void {
  writeFileSync(path.join(runDir, SNAPSHOT_FILE), JSON.stringify(snapshot));
}

export function readSnapshot(runDir: string): JestSnapshot | null {
  const file = path.join(runDir, SNAPSHOT_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JestSnapshot) : null;
}
