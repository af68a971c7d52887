import { apiDriver, bodyText, mapLimit } from '../helpers/api-driver';
import { VALID_BODIES } from '../helpers/api-requests';
import { readHarnessEnv } from '../helpers/harness-env';
import { invalidCases, type InvalidCase } from '../helpers/robustness';
import { routeCoverageGate } from '../helpers/route-coverage';

routeCoverageGate(__filename);

// The seed is the run's (E2E_SEED replays it); it is in the describe name so every report shows it.
const seed = readHarnessEnv().seed;
const CASES_PER_ROUTE = 5;

describe(`robustness: generated invalid bodies get a 4xx with a JSON error (seed ${seed}, replay with E2E_SEED=${seed})`, () => {
  test('every route with a request body rejects each generated invalid body with 4xx + JSON, never 5xx', async () => {
    const api = await apiDriver();
    const bodyRoutes = api.contract.routes().filter((r) => api.contract.requestSchema(r.method, r.template));
    const missingBase = bodyRoutes.map((r) => `${r.method} ${r.template}`).filter((k) => !(k in VALID_BODIES));
    expect(missingBase).toEqual([]);

    const cases: InvalidCase[] = bodyRoutes.flatMap((r) =>
      invalidCases(api.contract, r.method, r.template, VALID_BODIES[`${r.method} ${r.template}`] as Record<string, unknown>, seed, CASES_PER_ROUTE),
    );
    expect(cases.length).toBeGreaterThanOrEqual(bodyRoutes.length);

    const results = await mapLimit(cases, 6, async (c) => {
      const [method, template] = c.route.split(' ');
      // Path parameters need not exist: body validation comes before any lookup.
      const concrete = template.replace(/\{[^}]+\}/g, 'e2e-robustness');
      const res = await api.request(method, concrete, { json: c.body });
      return { c, res };
    });
    const bad = results
      .filter(({ res }) => !(res.status >= 400 && res.status < 500 && res.data !== null && typeof res.data === 'object' && !Buffer.isBuffer(res.data)))
      .map(({ c, res }) => `${c.route} [${c.kind}] ${c.description} → ${res.status} ${res.contentType}: ${bodyText(res).slice(0, 160)}`);
    expect(bad).toEqual([]);
  });
});
