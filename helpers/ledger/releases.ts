/**
 * Which FakeAI releases each known defect affects, as data. Verified, not assumed: each release
 * listed in LEDGER_RELEASES was run through the whole suite (`npm run e2e -- --fakeai <version>`)
 * and every evidence line below was read in that release's own source (pip install
 * fakeai==<version>; site-packages/fakeai/). helpers/__tests__/ledger-releases.test.ts checks the
 * lines against any release installed under .venv-builds/.
 *
 * A defect's `evidence` in known-defects.ts is where it sits in the pinned release; here: where it
 * sits in each other release (`null`: verified absent from that release). A defect with no entry
 * for a listed release has not been verified there, and is judged as on an unknown build.
 */

/** The release npm install pins (python/requirements.txt); known-defects.ts's evidence is read there. */
export const PINNED_RELEASE = '0.3.2';

/**
 * Releases the ledger speaks for. 0.3.0 is not among them: its wheel does not import
 * (ModuleNotFoundError: fakeai.services), so no defect of it can be observed.
 */
export const LEDGER_RELEASES: readonly string[] = ['0.3.1', '0.3.2'];

/** Per defect id: release → evidence `fakeai/<file>.py:<line>` in that release, or null (absent there). */
export const DEFECT_RELEASES: Readonly<Record<string, Readonly<Record<string, string | null>>>> = {
  // Read in fakeai 0.3.1's source, 2026-12-06; each also reproduced as an expected failure by its test there.
  'by-model-deadlock': { '0.3.1': 'fakeai/model_metrics.py:380' },
  'max-tokens-floor': { '0.3.1': 'fakeai/fakeai_service.py:1791' },
  'stream-finish-reason-always-stop': { '0.3.1': 'fakeai/fakeai_service.py:2380' },
  // 0.3.1 never calls validate_context_length (no such call in its fakeai_service.py): an oversize
  // streamed prompt streams a normal answer, so there is nothing to raise inside the stream.
  'stream-context-length-breaks-stream': { '0.3.1': null },
  'empty-messages-accepted': { '0.3.1': 'fakeai/models/chat.py:185' },
  'by-model-ignores-streams': { '0.3.1': 'fakeai/app.py:507' },
  'dynamo-ignores-streams': { '0.3.1': 'fakeai/fakeai_service.py:1978' },
  'streaming-stats-never-count': { '0.3.1': 'fakeai/fakeai_service.py:1978' },
  'metrics-prometheus-keyerror': { '0.3.1': 'fakeai/metrics.py:517' },
  'detailed-health-uptime-zero': { '0.3.1': 'fakeai/metrics.py:730' },
  'models-capabilities-shadowed': { '0.3.1': 'fakeai/app.py:474' },
  'files-upload-ignores-body': { '0.3.1': 'fakeai/fakeai_service.py:2683' },
  'files-unknown-id-500': { '0.3.1': 'fakeai/fakeai_service.py:2714' },
  'batches-service-missing': { '0.3.1': 'fakeai/fakeai_service.py:612' },
  'dashboard-html-missing': { '0.3.1': 'fakeai/app.py:452' },
  'openapi-media-types': { '0.3.1': 'fakeai/app.py:640' },
  'realtime-audio-crash': { '0.3.1': 'fakeai/fakeai_service.py:5158' },
  'realtime-text-done-field': { '0.3.1': 'fakeai/fakeai_service.py:4940' },
  'speech-format-mislabelled': { '0.3.1': 'fakeai/utils/audio_generation.py:166' },
  'image-url-wrong-port': { '0.3.1': 'fakeai/fakeai_service.py:589' },
  'images-invalid-size-500': { '0.3.1': 'fakeai/services/image_generation_service.py:190' },
  'vector-stores-unreachable': { '0.3.1': 'fakeai/fakeai_service.py:5163' },
  'responses-output-text-type': { '0.3.1': 'fakeai/fakeai_service.py:3111' },
  'nonstream-delay-ignored': { '0.3.1': 'fakeai/fakeai_service.py:2984' },
  // A defect of 0.3.1 that 0.3.2 fixed (its `evidence` in known-defects.ts is 0.3.1's).
  'context-length-not-checked': { '0.3.1': 'fakeai/fakeai_service.py:1635', '0.3.2': null },
  'kv-cache-stats-recursion': { '0.3.1': 'fakeai/kv_cache.py:104' },
  // The same unlocked iteration at the same line in 0.3.1's metrics.py (read 2026-12-06).
  'metrics-printer-race': { '0.3.1': 'fakeai/metrics.py:466' },
  // 0.3.1 only: found by the exploration on 0.3.1 (2026-12-06); 0.3.2 encodes base64.
  'embeddings-base64-ignored': { '0.3.1': 'fakeai/services/embedding_service.py:121', '0.3.2': null },
  // Found by the exploration (e2e/explore-requests.test.ts) on 0.3.2. For 0.3.1 these lines were read
  // in the 0.3.1 wheel's source (2026-12-06), not run there: the exploration has not been run on 0.3.1.
  // 0.3.1 never applies a context-length check (context-length-not-checked), so the two defects of
  // that check cannot show there.
  'context-window-mismatch': { '0.3.1': null },
  'context-check-ignores-max-completion-tokens': { '0.3.1': null },
  'context-length-unchecked': { '0.3.1': 'fakeai/fakeai_service.py:2436' },
  'completion-char-trim-overshoot': { '0.3.1': 'fakeai/utils/text_generation.py:100' },
  'reasoning-stream-usage-crash': { '0.3.1': 'fakeai/fakeai_service.py:2358' },
  'stream-text-respaced': { '0.3.1': 'fakeai/fakeai_service.py:2299' },
  'responses-stream-ignored': { '0.3.1': 'fakeai/app.py:720' },
  'by-model-ignores-responses': { '0.3.1': 'fakeai/app.py:720' },
  'by-model-ignores-completion-streams': { '0.3.1': 'fakeai/app.py:552' },
  // Found by the exploration on 0.3.2 (seed 652030406); the same comparison at 0.3.1's line, read in
  // its wheel's source and reproduced there by its test (2026-12-06).
  'finish-reason-ignores-reasoning': { '0.3.1': 'fakeai/fakeai_service.py:1877' },
};

/** What the ledger can say about the build a run judges. */
export type LedgerStanding =
  | { kind: 'release'; version: string }
  | { kind: 'unknown'; why: string };

/** The parts of a build identity (helpers/core/harness-env.ts BuildIdentity) the ledger looks at. */
export interface BuildFacts {
  version: string | null;
  fromIndex: boolean;
  source: string;
}

/**
 * A release the ledger covers is one installed from a package index at a listed version. The same
 * version number from a checkout or a wheel may hold any change, so it is judged as unknown.
 */
export function ledgerStanding(build: BuildFacts | undefined): LedgerStanding {
  // Runs without a build record (fixture projects) judge the pinned release, as before builds existed.
  if (!build) return { kind: 'release', version: PINNED_RELEASE };
  if (build.source === 'reused') return { kind: 'unknown', why: 'a running server the suite did not install (it reports no version)' };
  if (!build.version) return { kind: 'unknown', why: 'the interpreter has no fakeai package metadata' };
  if (!build.fromIndex) return { kind: 'unknown', why: `fakeai ${build.version} installed from ${build.source === 'checkout' ? 'a source checkout' : 'a file or URL'}, not from PyPI` };
  if (!LEDGER_RELEASES.includes(build.version)) return { kind: 'unknown', why: `release ${build.version} is not in the ledger (it covers ${LEDGER_RELEASES.join(', ')})` };
  return { kind: 'release', version: build.version };
}

/**
 * What a defect's test expects on this build: 'defect' (an expected failure, strict: red when it
 * passes), 'absent' (the ledger verified the release does not have it: an ordinary test), or
 * 'unknown' (either outcome is news; a pass is reported FIXED).
 */
export type DefectExpectation = { expect: 'defect'; evidence: string } | { expect: 'absent' } | { expect: 'unknown'; why: string };

export function defectExpectation(defect: { id: string; evidence: string }, standing: LedgerStanding, releases = DEFECT_RELEASES): DefectExpectation {
  if (standing.kind === 'unknown') return { expect: 'unknown', why: standing.why };
  const perRelease = releases[defect.id] ?? {};
  const entry = standing.version in perRelease ? perRelease[standing.version] : standing.version === PINNED_RELEASE ? defect.evidence : undefined;
  if (entry === undefined) return { expect: 'unknown', why: `the ledger has not verified ${defect.id} on ${standing.version}` };
  return entry === null ? { expect: 'absent' } : { expect: 'defect', evidence: entry };
}

/** Every release the ledger says has the defect. */
export function releasesWith(defect: { id: string; evidence: string }, releases = DEFECT_RELEASES): string[] {
  return LEDGER_RELEASES.filter((v) => defectExpectation(defect, { kind: 'release', version: v }, releases).expect === 'defect');
}

/**
 * The route exclusions that apply to a build: all but those whose defect the ledger verified this
 * release does not have (a build the ledger does not know keeps them all: an excluded route may hang it).
 */
export function exclusionsFor<E extends { defect?: string }>(exclusions: readonly E[], standing: LedgerStanding, defects: readonly { id: string; evidence: string }[]): E[] {
  return exclusions.filter((e) => {
    const d = e.defect ? defects.find((k) => k.id === e.defect) : undefined;
    return !d || defectExpectation(d, standing).expect !== 'absent';
  });
}
