import { apiDriver, expectConforms, type ApiDriver, type Exchange } from '../helpers/api/api-driver';
import { expectDefectOrFix, testKnownDefect } from '../helpers/checks/known-defect-test';
import { body } from '../helpers/api/api-requests';
import { paginationProblems } from '../helpers/api/pagination';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

async function uploadFile(api: ApiDriver): Promise<string> {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob(['FakeAI is a mock of the OpenAI API.\n']), 'notes.txt');
  const res = await api.request('POST', '/v1/files', { form });
  expectConforms(res);
  return res.data.id;
}

/** The id a create answered, or a stand-in so the later steps are still sent (and recorded). */
const idOf = (ex: Exchange, fallback: string): string => (ex.status === 200 && typeof ex.data?.id === 'string' ? ex.data.id : fallback);

// Every step is sent even after an earlier one failed, so each route is exercised while the
// defect lasts; the checks come at the end and are the ones a working server must pass.
describe('vector stores', () => {
  // Uploads sleep 0.5–1.5 s each in FakeAI (fakeai_service.py:2763): three, once, concurrently.
  let fileIds: string[] = [];
  beforeAll(async () => {
    const api = await apiDriver();
    fileIds = await Promise.all([1, 2, 3].map(() => uploadFile(api)));
  });

  testKnownDefect('vector-stores-unreachable', 'a store lives its whole life: create → retrieve → listed and paginated → update → delete → 404', async () => {
    const api = await apiDriver();
    const stores = await Promise.all([1, 2, 3].map((n) => api.post('/v1/vector_stores', body('POST /v1/vector_stores', { name: `e2e store ${n}` }))));
    expectDefectOrFix(stores.every((st) => st.status === 500 || st.status === 200), `POST /v1/vector_stores statuses ${stores.map((st) => st.status).join(', ')}`);
    const id = idOf(stores[0], 'vs-create-failed');
    const retrieved = await api.get(`/v1/vector_stores/${id}`);
    const full = await api.get('/v1/vector_stores', { limit: 100 });
    const page1 = await api.get('/v1/vector_stores', { limit: 2 });
    const page2 = await api.get('/v1/vector_stores', { limit: 2, after: page1.data?.data?.at?.(-1)?.id ?? id });
    const updated = await api.post(`/v1/vector_stores/${id}`, body('POST /v1/vector_stores/{vector_store_id}'));
    const deleted = await api.delete(`/v1/vector_stores/${id}`);
    const gone = await api.get(`/v1/vector_stores/${id}`);

    expectConforms([...stores, retrieved, full, page1, page2, updated, deleted]);
    expect(retrieved.data).toMatchObject({ id, name: 'e2e store 1' });
    expect(full.data.data.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(stores.map((s) => s.data.id)));
    expect(paginationProblems(full.data, [page1.data, page2.data], 2)).toEqual([]);
    expect(updated.data.name).toBe('e2e store renamed');
    expect(deleted.data).toMatchObject({ id, deleted: true });
    expect(gone.status).toBe(404);
  });

  testKnownDefect('vector-stores-unreachable', 'a store file lives its whole life: attach → retrieve → listed → detach → 404', async () => {
    const api = await apiDriver();
    const store = await api.post('/v1/vector_stores', body('POST /v1/vector_stores'));
    expectDefectOrFix(store.status === 500 || store.status === 200, `POST /v1/vector_stores status ${store.status}`);
    const fileId = fileIds[0];
    const base = `/v1/vector_stores/${idOf(store, 'vs-create-failed')}/files`;
    const attached = await api.post(base, { file_id: fileId });
    const retrieved = await api.get(`${base}/${fileId}`);
    const listed = await api.get(base);
    const detached = await api.delete(`${base}/${fileId}`);
    const gone = await api.get(`${base}/${fileId}`);

    expectConforms([store, attached, retrieved, listed, detached]);
    expect(listed.data.data.map((f: { id: string }) => f.id)).toContain(fileId);
    expect(gone.status).toBe(404);
  });

  testKnownDefect('vector-stores-unreachable', 'a file batch lives its whole life: create → retrieve → list its files → cancel', async () => {
    const api = await apiDriver();
    const store = await api.post('/v1/vector_stores', body('POST /v1/vector_stores'));
    expectDefectOrFix(store.status === 500 || store.status === 200, `POST /v1/vector_stores status ${store.status}`);
    const batchFiles = fileIds.slice(1);
    const base = `/v1/vector_stores/${idOf(store, 'vs-create-failed')}/file_batches`;
    const batch = await api.post(base, { file_ids: batchFiles });
    const batchId = idOf(batch, 'vsfb-create-failed');
    const retrieved = await api.get(`${base}/${batchId}`);
    const files = await api.get(`${base}/${batchId}/files`);
    const cancelled = await api.request('POST', `${base}/${batchId}/cancel`);

    expectConforms([store, batch, retrieved, files, cancelled]);
    expect(files.data.data.map((f: { id: string }) => f.id).sort()).toEqual([...batchFiles].sort());
  });
});
