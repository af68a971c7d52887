/**
 * Realistic prompt text of an exact size. Sizes are counted the way FakeAI 0.3.2 counts prompt
 * tokens (fakeai/utils/tokens.py:40-56: whitespace-separated words plus one per punctuation
 * character), because that count is what its context-length check compares with the window.
 * Pure: the same (tokens, offset) always gives the same text, so fast-check can shrink the numbers
 * instead of megabytes of characters.
 */

/** Plain English sentences; each word and each punctuation mark is one FakeAI token. */
const SENTENCES = [
  'The quarterly report shows revenue growing faster than costs in every region.',
  'Please summarise the meeting notes and list the open questions for Tuesday.',
  'A small cache in front of the database cut the median latency by half.',
  'Our team moved the release to Friday, after the last security review.',
  'Write a short poem about autumn leaves falling on a quiet river.',
  'Explain why the sky looks blue at noon but red at sunset.',
  'The customer asked whether the warranty covers water damage to the screen.',
  'Translate the following paragraph into plain language for new employees.',
  'Three engineers reviewed the change and found no problems with the tests.',
  'What are the trade-offs between batch processing and streaming pipelines?',
];

const PUNCTUATION = new Set('.,;:!?()[]{}<>"\'`~@#$%^&*-+=|/\\');

/** FakeAI 0.3.2's prompt-token count for a text (utils/tokens.py _cached_token_count). */
export function fakeaiTokenCount(text: string): number {
  if (!text) return 0;
  const words = text.split(/\s+/).filter((w) => w !== '').length;
  let punctuation = 0;
  for (const ch of text) if (PUNCTUATION.has(ch)) punctuation++;
  return Math.max(1, words + punctuation);
}

/** Each sentence as its FakeAI tokens: a word, or a word plus its trailing marks, counted separately. */
const UNITS: { text: string; tokens: number }[] = SENTENCES.flatMap((s) => s.split(' ').map((w) => ({ text: w, tokens: fakeaiTokenCount(w) })));

/**
 * Text of exactly `tokens` FakeAI tokens (≥ 1), starting `offset` words into the corpus. A word
 * that would overshoot is replaced by a plain filler word, so the count is always exact.
 */
export function textOfTokens(tokens: number, offset = 0): string {
  if (!Number.isInteger(tokens) || tokens < 1) throw new Error(`textOfTokens: tokens must be a whole number ≥ 1, got ${tokens}`);
  const parts: string[] = [];
  let left = tokens;
  for (let i = offset; left > 0; i++) {
    const unit = UNITS[i % UNITS.length];
    if (unit.tokens <= left) {
      parts.push(unit.text);
      left -= unit.tokens;
    } else {
      parts.push('word');
      left -= 1;
    }
  }
  return parts.join(' ');
}
