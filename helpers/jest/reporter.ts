/**
 * The e2e project's terminal reporter (it replaces Jest's default one under `npm run e2e`).
 *
 * While tests run it prints a header per test file (one capability each), a line per test, and a
 * line per record as tests append them to <runDir>/records.ndjson: requests, endpoint probes,
 * skips, known defects, server-log exceptions. Tests live in another module registry, so the file is
 * the channel; the reporter follows it with inotify and catches up at every test boundary, so a
 * test's request lines always print before its own result line.
 *
 * At onRunComplete it saves Jest's outcomes to <runDir>/jest-results.json. The summary and the
 * JSON/HTML reports are written by the CLI after runCLI returns, because globalTeardown (which runs
 * after onRunComplete) still records the exceptions left outside any test.
 */
import path from 'node:path';
import type { AggregatedResult, AssertionResult, Test, TestCaseResult, TestContext, TestResult } from '@jest/test-result';
import type { Config } from '@jest/types';
import { loadConfig, PROJECT_ROOT } from '../core/config';
import { readTimings, writeTimings } from '../core/shards';
import { readHarnessEnv } from '../core/harness-env';
import { recordsPath, type RunRecord } from '../core/run-records';
import { palette, stripAnsi, type Palette } from '../reporting/colours';
import { snapshotFromResults, writeSnapshot, capabilityOf } from '../reporting/jest-snapshot';
import { header, recordLine, testLine } from '../reporting/live-lines';
import { LineTail } from '../reporting/line-tail';
import { stopServersAfterLastFile } from './global-teardown';

interface ReporterOptions {
  /** Where output goes; tests of the reporter pass a collector. */
  write?: (s: string) => void;
  /** What to do once every file has its result (default: start stopping the servers); tests pass a spy. */
  afterLastFile?: () => void;
}

export default class E2EReporter {
  private readonly p: Palette;
  private readonly quiet: boolean;
  private readonly verbose: boolean;
  private readonly write: (s: string) => void;
  private records: LineTail | undefined;
  private logs: { name: string; tail: LineTail }[] = [];
  private runDir: string;
  private readonly reportsRoot: string;
  /** The current file's header, printed before its first line (at once unless --quiet). */
  private pendingHeader: string | undefined;
  /** Test files still without a result; at 0 the servers start stopping (global-teardown.ts). */
  private filesLeft = 0;

  constructor(
    private readonly globalConfig: Config.GlobalConfig,
    private readonly options: ReporterOptions = {},
  ) {
    const config = loadConfig();
    this.p = palette(config.color);
    this.quiet = config.quiet;
    this.verbose = config.verbose && !config.quiet;
    this.runDir = config.runDir;
    this.reportsRoot = config.reportsRoot;
    this.write = options.write ?? ((s) => process.stdout.write(s));
  }

  private print(line: string): void {
    this.flushHeader();
    this.emit(line);
  }

  private emit(line: string): void {
    this.write(`${this.p.enabled ? line : stripAnsi(line)}\n`);
  }

  private flushHeader(): void {
    if (this.pendingHeader === undefined) return;
    this.emit(this.pendingHeader);
    this.pendingHeader = undefined;
  }

  private drain(): void {
    if (this.records) this.showRecords(this.records.readNew());
    for (const { name, tail } of this.logs) for (const l of tail.readNew()) this.print(this.p.dim(`    [${name}] ${l}`));
  }

  private showRecords(lines: string[]): void {
    for (const line of lines) {
      let record: RunRecord;
      try {
        record = JSON.parse(line) as RunRecord;
      } catch {
        this.print(this.p.yellow(`  (unreadable record line: ${line.slice(0, 80)})`));
        continue;
      }
      // Quiet keeps only what explains a failure: failed requests and unexpected exceptions.
      if (this.quiet) {
        const bad = (record.kind === 'request' && !record.ok) || (record.kind === 'finding' && !record.allowed);
        if (!bad) continue;
      }
      // Exceptions a test provokes on purpose are listed in the summary; live, only with --verbose.
      if (record.kind === 'finding' && record.allowed && !this.verbose) continue;
      const text = recordLine(record, this.p, this.verbose);
      if (text !== null) this.print(text);
    }
  }

  onRunStart(results?: Pick<AggregatedResult, 'numTotalTestSuites'>): void {
    this.filesLeft = results?.numTotalTestSuites ?? 0;
    // globalSetup has run by now (it runs before reporters are created), so the harness env exists.
    try {
      const harness = readHarnessEnv();
      this.runDir = harness.runDir;
      if (this.verbose) {
        this.logs = Object.values(harness.servers)
          .filter((s) => s.logFile)
          .map((s) => ({ name: s.name, tail: new LineTail(s.logFile as string, s.logStart) }));
      }
    } catch {
      // Running without the harness (a fixture project): records may still be in the run dir.
    }
    this.records = new LineTail(recordsPath(this.runDir));
    this.records.follow((lines) => this.showRecords(lines));
  }

  onTestFileStart(test: Test): void {
    this.drain();
    const file = path.relative(this.globalConfig.rootDir, test.path);
    this.pendingHeader = header(capabilityOf(file), this.p, file);
    if (!this.quiet) this.flushHeader();
  }

  onTestCaseResult(_test: Test, result: TestCaseResult | AssertionResult): void {
    this.drain();
    if (this.quiet && result.status !== 'failed') return;
    const name = result.fullName || result.title;
    this.print(testLine(result.status, name, result.duration, this.p));
  }

  onTestFileResult(_test: Test, result: TestResult): void {
    // The last file is done: the servers' shutdown can overlap Jest ending its workers.
    if (--this.filesLeft === 0) (this.options.afterLastFile ?? stopServersAfterLastFile)();
    this.drain();
    if (result.failureMessage) {
      this.print(`\n${result.failureMessage.replace(/\n+$/, '')}\n`);
    }
    if (this.verbose && result.console) {
      for (const entry of result.console) this.print(this.p.dim(`    console.${entry.type}: ${entry.message}`));
    }
    this.pendingHeader = undefined;
  }

  onRunComplete(_contexts: Set<TestContext>, results: AggregatedResult): void {
    this.drain();
    this.records?.stop();
    writeSnapshot(this.runDir, snapshotFromResults(results, this.globalConfig.rootDir));
    this.saveTimings(results);
  }

  /**
   * Each file's duration, for balancing shards next time (helpers/core/shards.ts). Not from a
   * shard: every shard must plan from the same timings, so a shard never changes them. Not under
   * -t either: a file's duration with some of its tests filtered out is not its duration.
   */
  private saveTimings(results: AggregatedResult): void {
    if (this.globalConfig.shard || this.globalConfig.testNamePattern || !this.reportsRoot) return;
    const files = { ...(readTimings(this.reportsRoot)?.files ?? {}) };
    let changed = false;
    for (const r of results.testResults) {
      if (r.testExecError || !r.perfStats?.end) continue;
      files[path.relative(PROJECT_ROOT, r.testFilePath)] = r.perfStats.end - r.perfStats.start;
      changed = true;
    }
    try {
      if (changed) writeTimings(this.reportsRoot, files);
    } catch {
      // A read-only reports dir costs the next shards their balance, not this run its report.
    }
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}
