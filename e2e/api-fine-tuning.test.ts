import { apiDriver, expectConforms, expectListsAndPaginates } from '../helpers/api/api-driver';
import { body } from '../helpers/api/api-requests';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

describe('fine-tuning jobs', () => {
  // One training file for both tests: FakeAI sleeps 0.5–1.5 s per upload.
  let trainingFile: string;
  beforeAll(async () => {
    const api = await apiDriver();
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    form.append('file', new Blob(['{"messages":[{"role":"user","content":"hi"}]}\n']), 'train.jsonl');
    const file = await api.request('POST', '/v1/files', { form });
    expectConforms(file);
    trainingFile = file.data.id;
  });

  test('a job lives its whole life: create → retrieve → listed and paginated → events → checkpoints → cancel', async () => {
    const api = await apiDriver();
    const jobs = await Promise.all([1, 2, 3].map(() => api.post('/v1/fine_tuning/jobs', body('POST /v1/fine_tuning/jobs', { training_file: trainingFile }))));
    expectConforms(jobs);
    const id = jobs[0].data.id as string;

    const retrieved = await api.get(`/v1/fine_tuning/jobs/${id}`);
    expectConforms(retrieved);
    expect(retrieved.data.id).toBe(id);

    await expectListsAndPaginates(api, '/v1/fine_tuning/jobs', jobs.map((j) => j.data.id));

    const checkpoints = await api.get(`/v1/fine_tuning/jobs/${id}/checkpoints`);
    expectConforms(checkpoints);

    const cancelled = await api.request('POST', `/v1/fine_tuning/jobs/${id}/cancel`);
    expectConforms(cancelled);
    expect(cancelled.data.status).toBe('cancelled');
  });

  test('GET /v1/fine_tuning/jobs/{job_id}/events streams job events as server-sent events', async () => {
    const api = await apiDriver();
    const job = await api.post('/v1/fine_tuning/jobs', body('POST /v1/fine_tuning/jobs', { training_file: trainingFile }));
    await api.request('POST', `/v1/fine_tuning/jobs/${job.data.id}/cancel`);
    const events = await api.get(`/v1/fine_tuning/jobs/${job.data.id}/events`);
    expect(events.status).toBe(200);
    expect(events.contentType).toMatch(/^text\/event-stream/);
    const data = events.raw.toString('utf8').split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((e) => e.object === 'fine_tuning.job.event')).toBe(true);
  });
});
