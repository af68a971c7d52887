import { apiDriver, createdId, expectConforms, expectListsAndPaginates } from '../helpers/api/api-driver';
import { ASSISTANTS_ONLY, body, THREAD_ROUTES } from '../helpers/api/api-requests';
import { describeIfServed } from '../helpers/api/capabilities';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

describeIfServed('assistants', ASSISTANTS_ONLY, () => {
  test('an assistant lives its whole life: create → retrieve → listed and paginated → update → delete → 404', async () => {
    const api = await apiDriver();
    const made = await Promise.all([1, 2, 3].map((n) => api.post('/v1/assistants', body('POST /v1/assistants', { name: `e2e assistant ${n}` }))));
    expectConforms(made);
    const id = createdId(made[0], 'create an assistant');
    const retrieved = await api.get(`/v1/assistants/${id}`);
    expectConforms(retrieved);
    expect(retrieved.data).toMatchObject({ id, name: 'e2e assistant 1' });

    await expectListsAndPaginates(api, '/v1/assistants', made.map((a) => a.data.id));

    const updated = await api.post(`/v1/assistants/${id}`, body('POST /v1/assistants/{assistant_id}'));
    expectConforms(updated);
    expect(updated.data.name).toBe('e2e assistant renamed');
    const deleted = await api.delete(`/v1/assistants/${id}`);
    expectConforms(deleted);
    expect(deleted.data).toMatchObject({ id, deleted: true });
    expect((await api.get(`/v1/assistants/${id}`)).status).toBe(404);
  });
});

describeIfServed('threads, messages and runs', [...THREAD_ROUTES, 'POST /v1/assistants'], () => {
  test('a thread lives its whole life: create → retrieve → update → delete → 404', async () => {
    const api = await apiDriver();
    const thread = await api.post('/v1/threads', body('POST /v1/threads'));
    expectConforms(thread);
    const id = createdId(thread, 'create a thread');
    const retrieved = await api.get(`/v1/threads/${id}`);
    expectConforms(retrieved);
    const updated = await api.post(`/v1/threads/${id}`, body('POST /v1/threads/{thread_id}'));
    expectConforms(updated);
    expect(updated.data.metadata).toMatchObject({ step: 'modified' });
    const deleted = await api.delete(`/v1/threads/${id}`);
    expectConforms(deleted);
    expect((await api.get(`/v1/threads/${id}`)).status).toBe(404);
  });

  test('messages: create → retrieve → listed in order → update', async () => {
    const api = await apiDriver();
    const thread = await api.post('/v1/threads', {});
    const base = `/v1/threads/${createdId(thread, 'create a thread')}/messages`;
    const m1 = await api.post(base, body('POST /v1/threads/{thread_id}/messages', { content: 'first' }));
    const m2 = await api.post(base, body('POST /v1/threads/{thread_id}/messages', { content: 'second' }));
    expectConforms([m1, m2]);
    const m1Id = createdId(m1, 'create the first message');
    const retrieved = await api.get(`${base}/${m1Id}`);
    expectConforms(retrieved);
    const listed = await api.get(base, { order: 'asc' });
    expectConforms(listed);
    const ids = listed.data.data.map((m: { id: string }) => m.id);
    expect(ids.indexOf(m1.data.id)).toBeLessThan(ids.indexOf(m2.data.id));
    const updated = await api.post(`${base}/${m1Id}`, body('POST /v1/threads/{thread_id}/messages/{message_id}'));
    expectConforms(updated);
    expect(updated.data.metadata).toMatchObject({ edited: 'yes' });
  });

  test('runs: create → retrieve → listed → update → steps → cancel → submit tool outputs', async () => {
    const api = await apiDriver();
    const assistant = await api.post('/v1/assistants', body('POST /v1/assistants'));
    const thread = await api.post('/v1/threads', body('POST /v1/threads'));
    const base = `/v1/threads/${createdId(thread, 'create a thread')}/runs`;
    const run = await api.post(base, { assistant_id: createdId(assistant, 'create an assistant') });
    expectConforms(run);
    const runId = createdId(run, 'create a run');
    const [retrieved, listed, updated, steps] = await Promise.all([
      api.get(`${base}/${runId}`),
      api.get(base),
      api.post(`${base}/${runId}`, body('POST /v1/threads/{thread_id}/runs/{run_id}')),
      api.get(`${base}/${runId}/steps`),
    ]);
    expectConforms([retrieved, listed, updated, steps]);
    expect(listed.data.data.map((r: { id: string }) => r.id)).toContain(runId);
    if (steps.data.data.length > 0) {
      const step = await api.get(`${base}/${runId}/steps/${steps.data.data[0].id}`);
      expectConforms(step);
    } else {
      const step = await api.get(`${base}/${runId}/steps/step-none`);
      expect(step.status).toBe(404);
    }
    const cancelled = await api.request('POST', `${base}/${runId}/cancel`);
    const submitted = await api.post(`${base}/${runId}/submit_tool_outputs`, body('POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs'));
    // A run that already finished cannot be cancelled or given tool outputs: a 4xx with a body is the contract then.
    for (const r of [cancelled, submitted]) {
      if (r.status === 200) expectConforms(r);
      else expect([r.status, typeof r.data]).toEqual([400, 'object']);
    }
  });
});
