/**
 * The three known defects where a FakeAI 0.3.2 counter ignores chat streams
 * (by-model-ignores-streams, dynamo-ignores-streams, streaming-stats-never-count). In 0.3.2 the
 * streaming branch never reaches the counter at all (app.py returns the StreamingResponse before
 * model_metrics_tracker.track_request; create_chat_completion_stream never calls
 * dynamo_metrics.start_request nor metrics_tracker.start_stream/complete_stream), so every counter
 * the streams feed grows by the plain requests' share and not one more, and nothing else is off.
 * Only that shape counts as the defect; any other mismatch (double counting, one model counted and
 * another not, a stream left active) is red as "Not the defect — …", and correct counts pass, which
 * test.failing reports as a failed test ("Failing test passed even though it was supposed to fail").
 */
import { checkDynamoDelta, checkPerModelDeltas, checkStreamCountDeltas, completedStreamsGrowth, type Counters, type CounterGrowth, dynamoGrowth, isCounterProblem, perModelGrowth, type SentCompletion } from '../checks/metrics-delta';
import type { Problem } from '../core/problems';
import { expectDefectProblems } from '../checks/known-defect-test';

/** Every counter the streams should have moved (at least one) grew by the plain requests' share only. */
export function streamsIgnored(growth: readonly CounterGrowth[]): boolean {
  const fed = growth.filter((g) => g.fromStreams > 0);
  return fed.length > 0 && fed.every((g) => g.after - g.before === g.expected - g.fromStreams);
}

/** `problems` is the full check's output; `growth` the same counters as data. */
function expectStreamsCounted(title: string, growth: readonly CounterGrowth[], problems: readonly Problem[]): void {
  const ignored = streamsIgnored(growth);
  // When the streams were ignored everywhere, each stream-fed mismatch is the defect; otherwise none is.
  expectDefectProblems(title, problems, (p) => ignored && isCounterProblem(p) && p.delta.fromStreams > 0);
}

/** by-model-ignores-streams: each model's request_count and token totals grow by its streams and their usage. */
export function expectPerModelCountsStreams(before: Counters, after: Counters, sent: readonly SentCompletion[]): void {
  expectStreamsCounted('per-model counters after streams', perModelGrowth(before, after, sent), checkPerModelDeltas(before, after, sent));
}

/** dynamo-ignores-streams: /dynamo/metrics/json summary.total_requests grows by every completion sent. */
export function expectDynamoCountsStreams(before: Counters, after: Counters, sent: readonly SentCompletion[]): void {
  expectStreamsCounted('dynamo counter after streams', [dynamoGrowth(before, after, sent)], checkDynamoDelta(before, after, sent));
}

/**
 * streaming-stats-never-count: completed_streams grows by the streams sent, and none stays active.
 * 0.3.2 never registers a chat stream, so active_streams stays 0 under the defect: a stream left
 * active is another fault.
 */
export function expectStreamStatsCount(before: Counters, after: Counters, sent: readonly SentCompletion[]): void {
  expectStreamsCounted('stream counts', [completedStreamsGrowth(before, after, sent)], checkStreamCountDeltas(before, after, sent));
}
