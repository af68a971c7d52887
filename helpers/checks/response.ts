/** Checks every HTTP exchange shares: status, content type, a body that parses. */
import type { HttpResult } from '../core/http';
import { ErrorBodySchema } from './schemas';
import type { StreamResult } from '../core/sse';
import { parseWith, problem, show, type Problem } from '../core/problems';

export function checkStatus(res: Pick<HttpResult, 'status' | 'text'>, expected: number | readonly number[], at = 'status'): Problem[] {
  const want = typeof expected === 'number' ? [expected] : expected;
  if (want.includes(res.status)) return [];
  return [problem(at, want.join(' or '), `${res.status} (body: ${res.text.slice(0, 200) || 'empty'})`)];
}

export function checkContentType(res: Pick<HttpResult, 'contentType'>, pattern: RegExp, described: string): Problem[] {
  return res.contentType !== null && pattern.test(res.contentType) ? [] : [problem('content-type', described, res.contentType ?? 'no content-type header')];
}

/** A 200 with a JSON body that parsed. */
export function checkJsonOk(res: HttpResult): Problem[] {
  const problems = [...checkStatus(res, 200), ...checkContentType(res, /^application\/json\b/i, 'application/json')];
  if (res.contentType && /json/i.test(res.contentType) && !res.json) problems.push(problem('body', 'valid JSON', res.text.slice(0, 200)));
  return problems;
}

/**
 * Bad input must be refused cleanly: a 4xx (never 5xx, never a 2xx that pretends it worked),
 * a JSON content type, and a body that explains itself (OpenAI's {error:{message,type}} or
 * FastAPI's {detail}).
 */
export function checkClientError(res: HttpResult, allowed: readonly number[] = []): Problem[] {
  const problems: Problem[] = [];
  const okStatus = allowed.length > 0 ? allowed.includes(res.status) : res.status >= 400 && res.status < 500;
  if (!okStatus) {
    const want = allowed.length > 0 ? allowed.join(' or ') : 'a 4xx status';
    problems.push(problem('status', want, `${res.status} (body: ${res.text.slice(0, 200) || 'empty'})`));
  }
  problems.push(...checkContentType(res, /^application\/json\b/i, 'application/json'));
  if (!res.json) problems.push(problem('body', 'a JSON error body', res.text.slice(0, 200) || 'empty body'));
  else problems.push(...parseWith(ErrorBodySchema, res.data, 'body').problems.slice(0, 1).map((p) => ({ ...p, expected: '{error: {message, type}} or {detail}', actual: res.text.slice(0, 200) })));
  return problems;
}

/** A streamed request that is refused must be refused before streaming: a 4xx JSON answer, no events. */
export function checkRefusedStream(s: StreamResult): Problem[] {
  if (s.error) return [problem('response', 'a complete 4xx answer', s.error)];
  const asHttp: HttpResult = {
    status: s.status ?? 0,
    headers: s.headers,
    data: s.body,
    text: s.rawText,
    json: s.body !== null && typeof s.body === 'object',
    contentType: s.contentType,
    durationMs: s.totalMs,
  };
  const problems = checkClientError(asHttp);
  if (s.events.length > 0) {
    problems.push(problem('stream', 'no events for a refused request', `${s.events.length} event(s), [DONE] ${s.doneIndex === -1 ? 'missing' : 'present'}: ${show(s.rawText.slice(0, 120))}`));
  }
  return problems;
}
