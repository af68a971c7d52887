import { apiDriver, expectConforms } from '../helpers/api/api-driver';
import { expectDefectOrFix, testKnownDefect } from '../helpers/checks/known-defect-test';
import { body } from '../helpers/api/api-requests';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

describe('batches', () => {
  testKnownDefect('batches-service-missing', 'a batch lives its whole life: create → retrieve → listed → cancel', async () => {
    const api = await apiDriver();
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob(['{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{}}\n']), 'batch.jsonl');
    const file = await api.request('POST', '/v1/files', { form });
    // Every route is sent even when an earlier step failed: each must be exercised and recorded.
    const created = await api.post('/v1/batches', body('POST /v1/batches', { input_file_id: file.data.id }));
    expectDefectOrFix(created.status === 500 || created.status === 200, `POST /v1/batches status ${created.status}`);
    const id = created.data?.id ?? 'batch-from-failed-create';
    const [retrieved, listed, cancelled] = await Promise.all([api.get(`/v1/batches/${id}`), api.get('/v1/batches', { limit: 5 }), api.request('POST', `/v1/batches/${id}/cancel`)]);
    expectConforms([created, retrieved, listed, cancelled]);
    expect(listed.data.data.map((b: { id: string }) => b.id)).toContain(id);
    expect(['cancelling', 'cancelled']).toContain(cancelled.data.status);
  });
});
