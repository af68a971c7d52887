/**
 * Valid request bodies for every JSON-body route of FakeAI 0.3.2, built to match the request
 * schemas /openapi.json declares (the driver re-checks each one as it is sent). The robustness
 * generator breaks exactly one thing in these bodies at a time.
 */
export const MODEL = 'openai/gpt-oss-120b';

/** The assistants API (0.3.2 serves it; 0.3.1 does not): a block needing it is skipped where it is not served (helpers/api/capabilities.ts). */
export const ASSISTANT_ROUTES = ['POST /v1/assistants', 'GET /v1/assistants/{assistant_id}', 'POST /v1/threads', 'POST /v1/threads/{thread_id}/messages', 'POST /v1/threads/{thread_id}/runs'] as const;
export const ASSISTANTS_ONLY = ['POST /v1/assistants', 'GET /v1/assistants', 'GET /v1/assistants/{assistant_id}', 'POST /v1/assistants/{assistant_id}', 'DELETE /v1/assistants/{assistant_id}'] as const;
export const THREAD_ROUTES = ['POST /v1/threads', 'GET /v1/threads/{thread_id}', 'POST /v1/threads/{thread_id}', 'DELETE /v1/threads/{thread_id}', 'POST /v1/threads/{thread_id}/messages', 'GET /v1/threads/{thread_id}/messages', 'POST /v1/threads/{thread_id}/runs'] as const;
export const EMBEDDING_MODEL = 'sentence-transformers/all-mpnet-base-v2';

/** Body for a route keyed "METHOD /template"; ids in the body are placeholders the tests replace. */
export const VALID_BODIES: Readonly<Record<string, unknown>> = {
  'POST /v1/chat/completions': { model: MODEL, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16 },
  'POST /v1/completions': { model: MODEL, prompt: 'Once upon a time', max_tokens: 16 },
  'POST /v1/embeddings': { model: EMBEDDING_MODEL, input: 'The quick brown fox' },
  'POST /v1/images/generations': { model: 'dall-e-2', prompt: 'a red square', n: 1, size: '256x256', response_format: 'url' },
  'POST /v1/audio/speech': { model: 'tts-1', input: 'Hello from the end-to-end suite.', voice: 'alloy', response_format: 'mp3' },
  'POST /v1/text/generation': { model: MODEL, input: 'Write one sentence.', max_output_tokens: 16 },
  'POST /v1/responses': { model: MODEL, input: 'Say hello.', max_output_tokens: 16 },
  'POST /v1/ranking': { model: 'nvidia/nv-rerankqa-mistral-4b-v3', query: { text: 'what is a fox' }, passages: [{ text: 'A fox is an animal.' }, { text: 'Paris is a city.' }] },
  'POST /rag/api/prompt': { query: 'What is FakeAI?', top_k: 2 },
  'POST /v1/moderations': { input: 'I love sunny days.' },
  'POST /v1/batches': { input_file_id: 'file-placeholder', endpoint: '/v1/chat/completions', completion_window: '24h' },
  'POST /v1/organization/users': { email: 'e2e-user@example.com', role: 'reader' },
  'POST /v1/organization/users/{user_id}': { role: 'owner' },
  'POST /v1/organization/invites': { email: 'e2e-invite@example.com', role: 'reader' },
  'POST /v1/organization/projects': { name: 'e2e project' },
  'POST /v1/organization/projects/{project_id}': { name: 'e2e project renamed' },
  'POST /v1/organization/projects/{project_id}/users': { user_id: 'user-placeholder', role: 'member' },
  'POST /v1/organization/projects/{project_id}/users/{user_id}': { role: 'owner' },
  'POST /v1/organization/projects/{project_id}/service_accounts': { name: 'e2e service account' },
  'POST /v1/fine_tuning/jobs': { training_file: 'file-placeholder', model: 'meta-llama/Llama-3.1-8B-Instruct' },
  'POST /v1/vector_stores': { name: 'e2e store', metadata: { suite: 'e2e' } },
  'POST /v1/vector_stores/{vector_store_id}': { name: 'e2e store renamed' },
  'POST /v1/vector_stores/{vector_store_id}/files': { file_id: 'file-placeholder' },
  'POST /v1/vector_stores/{vector_store_id}/file_batches': { file_ids: ['file-placeholder'] },
  'POST /v1/assistants': { model: MODEL, name: 'e2e assistant', instructions: 'Be brief.', tools: [], metadata: { suite: 'e2e' } },
  'POST /v1/assistants/{assistant_id}': { name: 'e2e assistant renamed' },
  'POST /v1/threads': { messages: [{ role: 'user', content: 'Hello' }], metadata: { suite: 'e2e' } },
  'POST /v1/threads/{thread_id}': { metadata: { suite: 'e2e', step: 'modified' } },
  'POST /v1/threads/{thread_id}/messages': { role: 'user', content: 'What is 2 + 2?' },
  'POST /v1/threads/{thread_id}/messages/{message_id}': { metadata: { edited: 'yes' } },
  'POST /v1/threads/{thread_id}/runs': { assistant_id: 'asst-placeholder' },
  'POST /v1/threads/{thread_id}/runs/{run_id}': { metadata: { edited: 'yes' } },
  'POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs': { tool_outputs: [] },
};

/** A valid body with some fields replaced (real ids from earlier steps of a lifecycle). */
export function body(route: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = VALID_BODIES[route];
  if (base === undefined) throw new Error(`Invariant: no valid body for "${route}" in helpers/api/api-requests.ts`);
  return { ...(structuredClone(base) as Record<string, unknown>), ...overrides };
}

/** Unix seconds for the usage/cost reports' required start_time/end_time window. */
export function lastDay(now = Date.now()): { start_time: number; end_time: number } {
  const end = Math.floor(now / 1000);
  return { start_time: end - 86_400, end_time: end };
}
