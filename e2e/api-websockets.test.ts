import { apiDriver, expectConforms } from '../helpers/api/api-driver';
import { runBounded } from '../helpers/core/load';
import { expectDefectOrFix, testKnownDefect } from '../helpers/checks/known-defect-test';
import { body } from '../helpers/api/api-requests';
import { loadConfig } from '../helpers/core/config';
import { readHarnessEnv, server } from '../helpers/core/harness-env';
import { openWs, type WsSession } from '../helpers/core/ws';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

const ENDPOINT = '/v1/moderations';

function connect(route: string, query = ''): Promise<WsSession> {
  const url = `${server().baseUrl.replace(/^http/, 'ws')}${route}${query}`;
  return openWs(url, { timeoutMs: loadConfig().requestTimeoutMs, runDir: readHarnessEnv().runDir, route, test: expect.getState().currentTestName ?? null });
}

const isUpdate = (m: any) => m?.type === 'metrics_update';
const rateOf = (m: any): number => m?.data?.throughput?.requests_per_sec?.[ENDPOINT] ?? 0;

describe('WebSocket /metrics/stream', () => {
  test('sends well-formed metrics updates, and the request rate moves after traffic', async () => {
    const ws = await connect('/metrics/stream');
    try {
      // FakeAI broadcasts every 0.5 s (metrics_streaming.py:299) and skips a client whose interval
      // has not passed (:484): an interval below the tick gets every broadcast, never every other one.
      ws.send({ type: 'subscribe', filters: { interval: 0.1 } });
      await ws.next((m) => m.type === 'subscribed', 5000, 'a "subscribed" acknowledgement');
      const first = await ws.next(isUpdate, 5000, 'a first metrics_update');
      // The traffic goes out while the second update is on its way: if that update already counts
      // it, it is the one that shows the rate moving; otherwise a later one must.
      const api = await apiDriver();
      const before = rateOf(first);
      const sending = runBounded(Array.from({ length: 10 }), 5, () => api.post(ENDPOINT, body(`POST ${ENDPOINT}`)));
      // Awaited below; this only keeps a failure there from also surfacing as an unhandled rejection if the wait for the second update throws first.
      sending.catch(() => undefined);
      const second = await ws.next(isUpdate, 5000, 'a second metrics_update');
      for (const u of [first, second]) {
        expect(typeof u.timestamp).toBe('number');
        expect(typeof u.data.throughput.total_requests_per_sec).toBe('number');
      }
      expect(second.timestamp).toBeGreaterThan(first.timestamp);

      expectConforms(await sending);
      const moved = rateOf(second) > before ? second : await ws.next((m) => isUpdate(m) && rateOf(m) > before, 8000, `an update whose ${ENDPOINT} rate exceeds ${before}`);
      expect(rateOf(moved)).toBeGreaterThan(before);
    } finally {
      await ws.close();
    }
  });
});

describe('WebSocket /v1/realtime', () => {
  test('handshake (session.created), a session.update round trip, and a text response streamed to response.done', async () => {
    const ws = await connect('/v1/realtime');
    try {
      const created = await ws.next((m) => m.type === 'session.created', 5000, 'session.created');
      expect(created.session.object).toBe('realtime.session');
      ws.send({ type: 'session.update', session: { modalities: ['text'] } });
      const updated = await ws.next((m) => m.type === 'session.updated' || m.type === 'error', 5000, 'session.updated');
      expect(updated.type).toBe('session.updated');
      expect(updated.session.modalities).toEqual(['text']);

      ws.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello?' }] } });
      await ws.next((m) => m.type === 'conversation.item.created', 5000, 'conversation.item.created');
      ws.send({ type: 'response.create' });
      const done = await ws.next((m) => m.type === 'response.done' || m.type === 'error', 10000, 'response.done');
      expect(done.type).toBe('response.done');
      const deltas = ws.messages.filter((m) => m.type === 'response.text.delta').map((m) => m.delta).join('');
      expect(deltas.length).toBeGreaterThan(0);
      expect(ws.messages.some((m) => m.type === 'response.text.done')).toBe(true);
    } finally {
      await ws.close();
    }
  });

  testKnownDefect('realtime-text-done-field', 'response.text.done carries the whole text in its "text" field', async () => {
    const ws = await connect('/v1/realtime');
    try {
      await ws.next((m) => m.type === 'session.created', 5000, 'session.created');
      ws.send({ type: 'session.update', session: { modalities: ['text'] } });
      await ws.next((m) => m.type === 'session.updated', 5000, 'session.updated');
      ws.send({ type: 'response.create' });
      const done = await ws.next((m) => m.type === 'response.text.done' || m.type === 'error', 10000, 'response.text.done');
      // An error event instead of response.text.done is a different failure.
      expectDefectOrFix(done.type === 'response.text.done', `got ${JSON.stringify(done).slice(0, 300)}`);
      const deltas = ws.messages.filter((m) => m.type === 'response.text.delta').map((m) => m.delta).join('');
      expect(done.text).toBe(deltas);
    } finally {
      await ws.close();
    }
  });

  testKnownDefect('realtime-audio-crash', 'a response in the default text+audio session completes without an error event', async () => {
    const ws = await connect('/v1/realtime');
    try {
      await ws.next((m) => m.type === 'session.created', 5000, 'session.created');
      ws.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello?' }] } });
      await ws.next((m) => m.type === 'conversation.item.created', 5000, 'conversation.item.created');
      ws.send({ type: 'response.create' });
      const end = await ws.next((m) => m.type === 'response.done' || m.type === 'error', 10000, 'response.done');
      // The defect's error names generate_simulated_audio's "format" argument; any other error is not it.
      expectDefectOrFix(end.type === 'response.done' || /unexpected keyword argument 'format'/.test(JSON.stringify(end)), `got ${JSON.stringify(end).slice(0, 300)}`);
      expect(end).toMatchObject({ type: 'response.done' });
    } finally {
      await ws.close();
    }
  });
});
