/**
 * FakeAI's MetricsTracker is shared by the event loop (a request adds its endpoint's key the first
 * time) and a printer thread (iterates every key every 5 s), with no lock. Over HTTP the race shows
 * only by chance — the 5 s tick has to meet an endpoint's first request — so a run can meet it in
 * any test (its allowance is ANYWHERE, helpers/ledger/allowances.ts). Here it is provoked on
 * purpose, in the build's own interpreter, on the build's own class: one thread reads get_metrics()
 * while another tracks endpoints for the first time. A tracker that is safe never raises.
 */
import { execFile } from 'node:child_process';
import { testKnownDefect } from '../helpers/checks/known-defect-test';
import { readHarnessEnv } from '../helpers/core/harness-env';
import { skippedTest } from '../helpers/core/skipped-test';

/** Bounded: at most ROUNDS fresh sets of endpoints, or DEADLINE_S, whichever comes first. */
const RACE = String.raw`
import importlib.util, json, os, sys, threading, time, logging
logging.disable(logging.CRITICAL)
# The build's own metrics.py, loaded by itself: "from fakeai.metrics import …" would run the package's
# __init__, which imports fakeai.app (FastAPI, pydantic, the whole service: ~1.2 s of CPU) for a class
# that needs none of it. Under its real name, so any fakeai import it makes still resolves as usual.
package = importlib.util.find_spec("fakeai")
spec = importlib.util.spec_from_file_location("fakeai.metrics", os.path.join(package.submodule_search_locations[0], "metrics.py"))
metrics = importlib.util.module_from_spec(spec)
sys.modules["fakeai.metrics"] = metrics
spec.loader.exec_module(metrics)
MetricsTracker = metrics.MetricsTracker
ROUNDS, DEADLINE_S = 2000, 3.0
sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race needs a switch mid-iteration
tracker = MetricsTracker()
endpoints = sorted(tracker._tracked_endpoints)
raised = None
def read(stop):
    global raised
    while not stop.is_set() and raised is None:
        try:
            tracker.get_metrics()
        except RuntimeError as e:
            raised = f"{type(e).__name__}: {e}"
start, rounds = time.monotonic(), 0
while raised is None and rounds < ROUNDS and time.monotonic() - start < DEADLINE_S:
    rounds += 1
    for per_endpoint in tracker._metrics.values():
        per_endpoint.clear()  # every endpoint is new again, as on a fresh server
    stop = threading.Event()
    reader = threading.Thread(target=read, args=(stop,))
    reader.start()
    for endpoint in endpoints:
        tracker.track_request(endpoint)
    stop.set()
    reader.join()
print(json.dumps({"raised": raised, "rounds": rounds, "endpoints": len(endpoints)}))
`;

interface RaceResult {
  raised: string | null;
  rounds: number;
  endpoints: number;
}

function runRace(python: string): Promise<RaceResult> {
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', RACE], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } }, (err, stdout, stderr) => {
      // Not the defect: the script could not run (no fakeai, a renamed class): the test must go red.
      if (err) return reject(new Error(`the race script failed to run under ${python}: ${err.message}\n${stderr.trim().split('\n').slice(-5).join('\n')}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RaceResult);
    });
  });
}

describe("the metrics tracker's printer thread", () => {
  const python = readHarnessEnv().build?.python ?? null;
  if (python === null) {
    skippedTest(
      "the metrics tracker's printer thread",
      'get_metrics() never raises while another thread tracks endpoints for the first time',
      "no interpreter of the build: reuse mode (--host/--port) tests only a running server, and this check runs FakeAI's own MetricsTracker in the build's Python",
    );
    return;
  }

  testKnownDefect(
    'metrics-printer-race',
    'get_metrics() never raises while another thread tracks endpoints for the first time',
    async () => {
      const result = await runRace(python);
      expect(result.endpoints).toBeGreaterThan(0);
      expect(result.raised).toBeNull();
    },
    30_000,
  );
});
