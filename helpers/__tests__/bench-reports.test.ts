import { judgeTiming } from '../checks/fidelity';
import { renderHtml } from '../bench/html-report';
import { leakVerdict } from '../bench/leak';
import { findKnee, summarizeLevel } from '../bench/load-analysis';
import type { BenchResult } from '../bench/result';
import { describe as dist } from '../core/distribution';
import { renderText } from '../bench/text-report';

const few = Array.from({ length: 40 }, (_, i) => 5 + i / 10);
const many = Array.from({ length: 120 }, (_, i) => 3 + i / 100);
const levels = [summarizeLevel(1, many, 0, 1000, false), summarizeLevel(8, many.map((x) => x * 4), 2, 1000, true)];
const rounds = Array.from({ length: 6 }, (_, i) => ({ requests: (i + 1) * 1000, rssKiB: 90_000 + 800 * i, cpuMs: 1000 * i, errors: 0 }));

function fixture(): BenchResult {
  return {
    schema: 'fakeai-e2e/bench', version: 1, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 42_000, mode: 'quick',
    machine: { cpuModel: 'Test CPU', cores: 2, totalMemMiB: 1024, platform: 'linux x64', kernel: '6', node: 'v20', python: '3.11', fakeai: '0.3.2', loadAvgStart: 0.5, loadAvgEnd: 0.6 },
    target: { spawned: true, baseUrl: 'http://127.0.0.1:1', bootToReadyMs: 900 },
    latency: [
      { model: 'm/a', mode: 'nonstream', requests: 120, errors: 0, total: dist(many), totalSamplesMs: many },
      { model: 'm/a', mode: 'stream', requests: 40, errors: 0, total: dist(few), ttft: dist(few), itl: dist(many), totalSamplesMs: few },
    ],
    fidelity: {
      measured: [],
      checks: [judgeTiming({ metric: 'ttft', label: 'ttft=200 itl=20', configuredMs: 200, variancePercent: 10, overhead: { p50: 1, p90: 2 }, floorMs: 2, samples: few })],
      findings: ['timing fidelity: ttft ttft=200 itl=20: median 7 ms vs expected 201 ms'],
    },
    load: { endpoint: 'POST /v1/chat/completions', levels, knee: findKnee(levels), clients: [
      { client: 'node-http', requests: 10, errors: 0, roundsMsPerRequest: [3], msPerRequest: 3 },
      { client: 'suite-http', requests: 10, errors: 0, roundsMsPerRequest: [4], msPerRequest: 4 },
      { client: 'autocannon', requests: 10, errors: 0, roundsMsPerRequest: [2.5], msPerRequest: 2.5 },
    ], clientOverheadMs: { 'node-http': 0.5, 'suite-http': 1.5 } },
    memory: { pid: 42, series: [{ prompts: 'unique', rounds, verdict: leakVerdict(rounds), cpuMsPer1kRequests: 1000 }] },
    rssTimeline: [{ atMs: 0, rssKiB: 90_000, cpuMs: 0 }, { atMs: 1000, rssKiB: 91_000, cpuMs: 10 }],
    harness: null, metrics: [], comparison: null,
    findings: ['timing fidelity: ttft ttft=200 itl=20: median 7 ms vs expected 201 ms'], notes: ['a note'],
  };
}

const plain = (s: string) => s;

describe('bench text report', () => {
  it('marks p99 values from fewer than 100 samples and explains the mark', () => {
    const text = renderText(fixture(), plain);
    expect(text).toMatch(/m\/a\s+stream\s+40 .*\*/);
    expect(text).toMatch(/\* p99 from fewer than 100 samples/);
  });

  it('prints a fidelity mismatch, the knee, a growing RSS and every finding', () => {
    const text = renderText(fixture(), plain);
    expect(text).toMatch(/ttft=200 itl=20 .* MISMATCH/);
    expect(text).toMatch(/knee: 8/);
    expect(text).toMatch(/unique .* GROWING/);
    expect(text).toMatch(/Findings \(1\):\n {2}- timing fidelity/);
  });
});

describe('bench HTML report', () => {
  it('is self-contained: no scripts and no external resources', () => {
    const html = renderHtml(fixture());
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('draws latency distribution, fidelity, throughput and p95 against concurrency, and RSS charts', () => {
    const html = renderHtml(fixture());
    for (const kind of ['chart-box', 'chart-histogram', 'chart-bar', 'chart-line']) expect(html).toContain(kind);
    expect(html).toMatch(/Throughput vs concurrency/);
    expect(html).toMatch(/p95 latency vs concurrency/);
    expect(html).toMatch(/Server RSS over the run/);
    expect(html).toMatch(/class="bad">mismatch/);
  });
});
