/**
 * What the output and reports say about a server's FakeAI version. A spawned server's comes from
 * the interpreter's package metadata (fakeai-server.ts). A server the suite only reuses
 * (--host/--port, E2E_URL) cannot be asked: FakeAI 0.3.2 serves no package version over HTTP.
 * /openapi.json info.version is FastAPI's `version=` argument, hard-coded "1.0.0" (the API
 * document's version, not the package's); /health, /health/detailed and the response headers
 * carry none (the only "version" in a header is Prometheus's exposition format, 0.0.4); and
 * fakeai.__version__ says "0.0.4" in 0.3.2, so even a route returning it would be wrong.
 * helpers/__tests__/server-version.test.ts checks those facts against the installed package.
 */

/** Where the hard-coded document version sits in the installed package, and the line's text. */
export const OPENAPI_VERSION_EVIDENCE = { file: 'fakeai/app.py', line: 146, text: 'version="1.0.0",' } as const;

export const VERSION_NOT_REPORTED =
  'not reported by the server (reuse mode: FakeAI serves no package version over HTTP; /openapi.json info.version is the API document\'s hard-coded "1.0.0", fakeai/app.py:146)';

/** The short form, for inline use ("not served by fakeai <this> (…)"). */
export const VERSION_NOT_REPORTED_SHORT = '(version not reported by the server)';

/** Why a server's version is missing, or null when it is known. */
export function fakeaiVersionNote(s: { spawned: boolean; fakeaiVersion?: string | null }): string | null {
  if (s.fakeaiVersion) return null;
  // Spawned without a version: the interpreter found a fakeai that is not the installed distribution (a stub earlier on sys.path).
  return s.spawned ? '(version unknown: the interpreter has no fakeai distribution metadata)' : VERSION_NOT_REPORTED;
}

/** The version, or why there is none: for the summary and the HTML report. */
export function fakeaiVersionLabel(s: { spawned: boolean; fakeaiVersion?: string | null }): string {
  return s.fakeaiVersion || fakeaiVersionNote(s)!;
}
