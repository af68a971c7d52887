/** A shrunk case as something a person can run: a curl command and the npm command that replays it. */
import type { ExploreCase } from './generators';

/** Single-quoted for a POSIX shell: every ' becomes '\''. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Bodies longer than this go to a file next to the report and curl reads them with -d @file. */
export const INLINE_BODY_MAX = 2000;

export function curlCommand(baseUrl: string, c: Pick<ExploreCase, 'path' | 'body' | 'stream'>, bodyFile?: string): string {
  const json = JSON.stringify(c.body);
  const data = bodyFile && json.length > INLINE_BODY_MAX ? `@${bodyFile}` : json;
  return `curl -sS${c.stream ? 'N' : ''} -X POST ${baseUrl}${c.path} -H 'content-type: application/json' -d ${shellQuote(data)}`;
}

/** The npm command that reruns exactly this case: same seed, fast-check's path, only this test (-t takes a regex, so the name is escaped). */
export function replayCommand(seed: number, path: string, specFile: string, testName: string): string {
  const pattern = testName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `npm run e2e -- --seed ${seed} --explore-path ${path} -- ${specFile} -t ${shellQuote(pattern)}`;
}

/** One line per case for messages: route, model, sizes and switches. */
export function describeCase(c: ExploreCase): string {
  const bits = [`${c.endpoint}${c.stream ? ' stream' : ''}`, c.model, `prompt ${c.promptTokens} tokens (${c.sizeMode})`];
  if (c.limit !== undefined) bits.push(`${c.limitField} ${c.limit}`);
  bits.push(`window ${c.contextWindow}${c.pastWindow ? ' — past it' : ''}`);
  if (c.n !== 1) bits.push(`n ${c.n}`);
  if (c.includeUsage !== undefined) bits.push(`include_usage ${c.includeUsage}`);
  if (c.tools) bits.push('tools');
  return bits.join(', ');
}
