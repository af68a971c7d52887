/**
 * The verdict on one invalid input: the server must refuse it as the client's fault (4xx) and say
 * why in a JSON body. A 5xx, a 2xx/3xx (the input was taken), or a 4xx whose body is not JSON fails.
 */
export interface RobustnessAnswer {
  status: number;
  contentType: string | null;
  /** Parsed JSON for JSON responses, a Buffer otherwise (as the API driver hands it over). */
  data: unknown;
  raw: Buffer;
}

/** A 4xx whose body was parsed as a JSON object or array. */
export function isJsonClientError(res: RobustnessAnswer): boolean {
  return res.status >= 400 && res.status < 500 && res.data !== null && typeof res.data === 'object' && !Buffer.isBuffer(res.data);
}

/** One line per answer that is not a JSON 4xx: what was sent, then what came back. */
export function robustnessFailures(results: readonly { sent: string; res: RobustnessAnswer }[]): string[] {
  return results
    .filter(({ res }) => !isJsonClientError(res))
    .map(({ sent, res }) => `${sent} → ${res.status} ${res.contentType}: ${(Buffer.isBuffer(res.data) ? res.raw.toString('utf8') : JSON.stringify(res.data)).slice(0, 160)}`);
}
