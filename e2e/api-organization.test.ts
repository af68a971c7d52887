import { apiDriver, expectConforms, expectListsAndPaginates } from '../helpers/api/api-driver';
import { body, lastDay } from '../helpers/api/api-requests';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

describe('organization admin', () => {
  test('a user lives its whole life: create → retrieve → listed and paginated → update → delete → 404', async () => {
    const api = await apiDriver();
    const made = await Promise.all([1, 2, 3].map((n) => api.post('/v1/organization/users', body('POST /v1/organization/users', { email: `e2e-${n}-${Date.now()}@example.com` }))));
    expectConforms(made);
    const id = made[0].data.id as string;
    const retrieved = await api.get(`/v1/organization/users/${id}`);
    expectConforms(retrieved);
    await expectListsAndPaginates(api, '/v1/organization/users', made.map((u) => u.data.id));
    const updated = await api.post(`/v1/organization/users/${id}`, body('POST /v1/organization/users/{user_id}'));
    expectConforms(updated);
    expect(updated.data.role).toBe('owner');
    const deleted = await api.delete(`/v1/organization/users/${id}`);
    expectConforms(deleted);
    expect((await api.get(`/v1/organization/users/${id}`)).status).toBe(404);
  });

  test('an invite lives its whole life: create → retrieve → listed → delete → 404', async () => {
    const api = await apiDriver();
    const invite = await api.post('/v1/organization/invites', body('POST /v1/organization/invites', { email: `e2e-inv-${Date.now()}@example.com` }));
    expectConforms(invite);
    const id = invite.data.id as string;
    const [retrieved, listed] = await Promise.all([api.get(`/v1/organization/invites/${id}`), api.get('/v1/organization/invites')]);
    expectConforms([retrieved, listed]);
    expect(listed.data.data.map((i: { id: string }) => i.id)).toContain(id);
    const deleted = await api.delete(`/v1/organization/invites/${id}`);
    expectConforms(deleted);
    expect((await api.get(`/v1/organization/invites/${id}`)).status).toBe(404);
  });

  test('a project lives its whole life with its users and service accounts, then is archived', async () => {
    const api = await apiDriver();
    const project = await api.post('/v1/organization/projects', body('POST /v1/organization/projects'));
    expectConforms(project);
    const pid = project.data.id as string;
    const user = await api.post('/v1/organization/users', body('POST /v1/organization/users', { email: `e2e-p-${Date.now()}@example.com` }));
    expectConforms(user);
    const [retrieved, listed, renamed] = await Promise.all([
      api.get(`/v1/organization/projects/${pid}`),
      api.get('/v1/organization/projects'),
      api.post(`/v1/organization/projects/${pid}`, body('POST /v1/organization/projects/{project_id}')),
    ]);
    expectConforms([retrieved, listed, renamed]);
    expect(listed.data.data.map((p: { id: string }) => p.id)).toContain(pid);
    expect(renamed.data.name).toBe('e2e project renamed');

    const pu = `/v1/organization/projects/${pid}/users`;
    const added = await api.post(pu, body('POST /v1/organization/projects/{project_id}/users', { user_id: user.data.id }));
    expectConforms(added);
    const [puGet, puList, puMod] = await Promise.all([api.get(`${pu}/${user.data.id}`), api.get(pu), api.post(`${pu}/${user.data.id}`, body('POST /v1/organization/projects/{project_id}/users/{user_id}'))]);
    expectConforms([puGet, puList, puMod]);
    expect(puList.data.data.map((u: { id: string }) => u.id)).toContain(user.data.id);
    expectConforms(await api.delete(`${pu}/${user.data.id}`));
    expect((await api.get(`${pu}/${user.data.id}`)).status).toBe(404);

    const sa = `/v1/organization/projects/${pid}/service_accounts`;
    const account = await api.post(sa, body('POST /v1/organization/projects/{project_id}/service_accounts'));
    expectConforms(account);
    const [saGet, saList] = await Promise.all([api.get(`${sa}/${account.data.id}`), api.get(sa)]);
    expectConforms([saGet, saList]);
    expect(saList.data.data.map((a: { id: string }) => a.id)).toContain(account.data.id);
    expectConforms(await api.delete(`${sa}/${account.data.id}`));
    expect((await api.get(`${sa}/${account.data.id}`)).status).toBe(404);

    const archived = await api.request('POST', `/v1/organization/projects/${pid}/archive`);
    expectConforms(archived);
  });

  test('usage and cost reports for the last day answer what the document declares, with a bucket for usage this file made', async () => {
    const api = await apiDriver();
    // Usage of its own first: with files in parallel this server has seen only its worker's files,
    // and an empty report would leave every bucket's shape unchecked (FakeAI 0.3.2 reports every
    // kind from one usage log, fakeai_service.py get_usage_by_time_bucket).
    expectConforms(await api.post('/v1/embeddings', body('POST /v1/embeddings')));
    // Whole seconds: a window ending at floor(now) would leave out usage made in this second.
    const window = lastDay(Date.now() + 1000);
    const kinds = ['completions', 'embeddings', 'images', 'audio_speeches', 'audio_transcriptions'];
    const usage = await Promise.all(kinds.map((k) => api.get(`/v1/organization/usage/${k}`, window)));
    const costs = await api.get('/v1/organization/costs', window);
    expectConforms([...usage, costs]);
    for (const r of [...usage, costs]) expect(r.data.object).toBe('page');
    for (const r of usage) expect(r.data.data.length).toBeGreaterThan(0);
  });
});
