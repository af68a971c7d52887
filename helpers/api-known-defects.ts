/**
 * FakeAI 0.3.2 defects the API areas found, each with the source line that shows it. A test for a
 * defect is declared with `defectTest`: Jest's test.failing, so it passes while the defect is there
 * and fails loudly (asking for the entry to be removed) once FakeAI fixes it. The check inside is
 * the same check a healthy server must pass — never a weakened one.
 *
 * TODO(api): move these entries into helpers/known-defects.ts once the shared registry lands.
 */
import { readHarnessEnv } from './harness-env';
import { appendRecord } from './run-records';

export interface KnownDefect {
  id: string;
  summary: string;
  /** Where the cause is: 'fakeai/<file>.py:<line>'. */
  evidence: string;
}

export const API_DEFECTS: readonly KnownDefect[] = [
  { id: 'models-capabilities-shadowed', summary: 'GET /v1/models/{id}/capabilities is unreachable: the earlier /v1/models/{model_id:path} route swallows it and answers a Model object for id "<id>/capabilities"', evidence: 'fakeai/app.py:507' },
  { id: 'files-upload-ignores-body', summary: 'POST /v1/files ignores the multipart body: filename, purpose and bytes are invented (random size, always purpose "fine-tune")', evidence: 'fakeai/fakeai_service.py:2760' },
  { id: 'files-unknown-id-500', summary: 'GET/DELETE /v1/files/{id} for an unknown or deleted id raise ValueError and answer 500 instead of 404', evidence: 'fakeai/fakeai_service.py:2791' },
  { id: 'batches-service-missing', summary: 'Every /v1/batches route answers 500: FakeAIService.batch_service is commented out (AttributeError)', evidence: 'fakeai/fakeai_service.py:617' },
  { id: 'dashboard-html-missing', summary: 'GET /dashboard and /dashboard/dynamo answer 500: static/dashboard*.html is not shipped in the wheel', evidence: 'fakeai/app.py:485' },
  { id: 'metrics-prometheus-keyerror', summary: "GET /metrics/prometheus answers 500 after traffic: KeyError 'rate' in the latency summary", evidence: 'fakeai/metrics.py:517' },
  { id: 'openapi-media-types', summary: 'The OpenAPI document declares application/json for routes that answer audio/mpeg, image/png, text/event-stream, text/csv and text/plain', evidence: 'fakeai/app.py:786' },
  { id: 'realtime-audio-crash', summary: 'Realtime response.create with the default text+audio modalities fails: generate_simulated_audio() got an unexpected keyword argument "format"', evidence: 'fakeai/fakeai_service.py:5235' },
  { id: 'speech-format-mislabelled', summary: 'POST /v1/audio/speech with response_format opus, aac or flac answers MP3 bytes labelled audio/opus, audio/aac, audio/flac', evidence: 'fakeai/utils/audio_generation.py:166' },
  { id: 'image-url-wrong-port', summary: 'Generated image URLs point at http://<host>:8000 (the default port), not at the port the server listens on', evidence: 'fakeai/fakeai_service.py:594' },
  { id: 'images-invalid-size-500', summary: 'An image size the model does not support (256x256 for dall-e-3) raises ValueError and answers 500 instead of 400', evidence: 'fakeai/services/image_generation_service.py:190' },
  { id: 'vector-stores-unreachable', summary: 'Every /v1/vector_stores route answers 500: the vector-store methods are defined on RealtimeSessionHandler, not on FakeAIService (AttributeError)', evidence: 'fakeai/fakeai_service.py:5240' },
  { id: 'realtime-text-done-field', summary: 'Realtime response.text.done carries the full text in "delta" instead of the "text" field the OpenAI Realtime API defines', evidence: 'fakeai/fakeai_service.py:5017' },
  { id: 'responses-output-text-type', summary: 'POST /v1/responses returns message content parts of type "text" instead of "output_text", so the openai SDK\'s response.output_text is empty', evidence: 'fakeai/fakeai_service.py:3188' },
];

export function knownDefect(id: string): KnownDefect {
  const d = API_DEFECTS.find((x) => x.id === id);
  if (!d) throw new Error(`Invariant: no known defect "${id}" in helpers/api-known-defects.ts`);
  return d;
}

/**
 * Declares a test that is expected to fail because of a known defect, and records the defect for
 * the report. The name says which defect, so the report reads as an expected failure, not a pass.
 */
export function defectTest(id: string, name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  const defect = knownDefect(id);
  test.failing(`${name} [known defect: ${id}]`, async () => {
    const current = expect.getState().currentTestName ?? name;
    appendRecord(readHarnessEnv().runDir, { kind: 'defect', id, test: current, summary: defect.summary, evidence: defect.evidence });
    await fn();
  }, timeoutMs);
}
