/**
 * Where FakeAI itself is wrong: the ledger of known defects, as data (no test code, no I/O), read by
 * the tests (helpers/checks/known-defect-test.ts), the reports and the generated docs page alike.
 *
 * Evidence is `fakeai/<file>.py:<line>` in the installed fakeai 0.3.2; `evidenceText` is a piece of
 * that line, which helpers/__tests__/checks-discovery.test.ts verifies against the installed source.
 * Other areas add their entries to KNOWN_DEFECTS; ids are kebab-case and unique.
 */

export interface KnownDefect {
  id: string;
  summary: string;
  evidence: string;
  /** A piece of the evidence line, checked against the installed source by the unit tests. */
  evidenceText?: string;
  /**
   * When the defect shows as something other than a failed check (a deadlock shows as no answer),
   * the message of that error; any other error still means the test failed for another reason.
   */
  symptom?: RegExp;
  /**
   * The release `evidence` was read in, when the pinned release does not have the defect (one that
   * a later release fixed). Which releases it affects: helpers/ledger/releases.ts.
   */
  evidenceIn?: string;
}

export const KNOWN_DEFECTS: KnownDefect[] = [
  {
    id: 'by-model-deadlock',
    summary: 'GET /metrics/by-model (and /metrics/ranking) deadlocks the whole server once any model has been used: get_all_models_stats holds a non-reentrant lock and calls get_model_stats, which takes it again, on the event loop.',
    evidence: 'fakeai/model_metrics.py:380',
    evidenceText: 'with self._data_lock:',
    symptom: /got no HTTP response: no answer within/,
  },
  {
    id: 'max-tokens-floor',
    summary: 'max_tokens below 10 is ignored: the completion budget is max(10, max_tokens), so usage.completion_tokens exceeds max_tokens.',
    evidence: 'fakeai/fakeai_service.py:1818',
    evidenceText: 'remaining_budget = max(10, effective_max_tokens - reasoning_tokens)',
  },
  {
    id: 'stream-finish-reason-always-stop',
    summary: 'Streams always end with finish_reason "stop", even when the completion was cut at max_tokens (the non-streaming path says "length").',
    evidence: 'fakeai/fakeai_service.py:2457',
    evidenceText: 'finish_reason="stop"',
  },
  {
    id: 'stream-context-length-breaks-stream',
    summary: 'An oversize prompt with stream: true gets 200 and an empty, broken stream (no [DONE]) plus a server traceback: the context-length check raises inside the stream generator, after the headers went out.',
    evidence: 'fakeai/fakeai_service.py:2080',
    evidenceText: 'raise ContextLengthExceededError(error_message, error_dict)',
  },
  {
    id: 'empty-messages-accepted',
    summary: 'messages: [] is accepted with 200 and a made-up answer instead of a 400: the request model has no minimum length for messages.',
    evidence: 'fakeai/models/chat.py:185',
    evidenceText: 'messages: list[Message] = Field(',
  },
  {
    id: 'by-model-ignores-streams',
    summary: 'Per-model metrics (/metrics/by-model/*) count only non-streaming chat completions: the streaming branch returns before model_metrics_tracker.track_request.',
    evidence: 'fakeai/app.py:540',
    evidenceText: 'if request.stream:',
  },
  {
    id: 'dynamo-ignores-streams',
    summary: '/dynamo/metrics/json summary.total_requests counts only non-streaming chat completions: the streaming path never calls dynamo_metrics.start_request.',
    evidence: 'fakeai/fakeai_service.py:2005',
    evidenceText: 'async def create_chat_completion_stream(',
  },
  {
    id: 'streaming-stats-never-count',
    summary: '/metrics streaming_stats (completed_streams, ttft, tokens_per_second) never move: chat streams never call metrics_tracker.start_stream/complete_stream.',
    evidence: 'fakeai/fakeai_service.py:2005',
    evidenceText: 'async def create_chat_completion_stream(',
  },
  {
    id: 'metrics-prometheus-keyerror',
    summary: "GET /metrics/prometheus answers 500 once any response latency is in the 60 s window: the latency summary reads stats['rate'] from get_latency_stats(), which has no 'rate' (KeyError).",
    evidence: 'fakeai/metrics.py:517',
    evidenceText: 'stats["avg"] * stats["rate"]',
  },
  {
    id: 'detailed-health-uptime-zero',
    summary: '/health/detailed uptime_seconds is always about 0 (even negative): it is computed from a /health request window that is never tracked, falling back to time.time() − time.time().',
    evidence: 'fakeai/metrics.py:730',
    evidenceText: '"uptime_seconds": time.time()',
  },
  // API areas (e2e/api-*.test.ts, e2e/sdk-*.test.ts).
  {
    id: 'models-capabilities-shadowed',
    summary: 'GET /v1/models/{id}/capabilities is unreachable: the earlier /v1/models/{model_id:path} route swallows it and answers a Model object for the id "<id>/capabilities".',
    evidence: 'fakeai/app.py:507',
    evidenceText: '@app.get("/v1/models/{model_id:path}"',
  },
  {
    id: 'files-upload-ignores-body',
    summary: 'POST /v1/files ignores the multipart body: filename, purpose and bytes are invented (random size, purpose always "fine-tune").',
    evidence: 'fakeai/fakeai_service.py:2760',
    evidenceText: 'async def upload_file(self) -> FileObject:',
  },
  {
    id: 'files-unknown-id-500',
    summary: 'GET/DELETE /v1/files/{id} for an unknown id raise ValueError and answer 500 instead of 404.',
    evidence: 'fakeai/fakeai_service.py:2791',
    evidenceText: 'raise ValueError(f"File with ID',
  },
  {
    id: 'batches-service-missing',
    summary: 'Every /v1/batches route answers 500: FakeAIService.batch_service is commented out (AttributeError).',
    evidence: 'fakeai/fakeai_service.py:617',
    evidenceText: '# self.batch_service = BatchService(',
  },
  {
    id: 'dashboard-html-missing',
    summary: 'GET /dashboard and /dashboard/dynamo answer 500: static/dashboard*.html is not shipped in the wheel.',
    evidence: 'fakeai/app.py:485',
    evidenceText: '"static", "dashboard.html"',
  },
  {
    id: 'openapi-media-types',
    summary: 'The OpenAPI document declares only application/json for routes that answer audio/*, image/png, text/event-stream, text/csv and text/plain (no response_class on the routes).',
    evidence: 'fakeai/app.py:673',
    evidenceText: 'media_type="image/png"',
  },
  {
    id: 'realtime-audio-crash',
    summary: 'Realtime response.create with the default text+audio modalities fails: generate_simulated_audio() got an unexpected keyword argument "format".',
    evidence: 'fakeai/fakeai_service.py:5235',
    evidenceText: 'generate_simulated_audio(text, format="pcm16")',
  },
  {
    id: 'realtime-text-done-field',
    summary: 'Realtime response.text.done carries the full text in "delta" instead of the "text" field the OpenAI Realtime API defines.',
    evidence: 'fakeai/fakeai_service.py:5017',
    evidenceText: 'delta=accumulated_text,',
  },
  {
    id: 'speech-format-mislabelled',
    summary: 'POST /v1/audio/speech with response_format opus, aac or flac answers MP3 bytes labelled audio/opus, audio/aac, audio/flac.',
    evidence: 'fakeai/utils/audio_generation.py:166',
    evidenceText: 'elif response_format in ["opus", "aac", "flac"]:',
  },
  {
    id: 'image-url-wrong-port',
    summary: 'Generated image URLs point at the configured default port (8000), not at the port the server listens on: the CLI --port never reaches config.',
    evidence: 'fakeai/fakeai_service.py:594',
    evidenceText: 'base_url = f"http://{config.host}:{config.port}"',
  },
  {
    id: 'images-invalid-size-500',
    summary: 'An image size the model does not support (256x256 for dall-e-3) raises ValueError and answers 500 instead of 400.',
    evidence: 'fakeai/services/image_generation_service.py:190',
    evidenceText: 'raise ValueError(',
  },
  {
    id: 'vector-stores-unreachable',
    summary: 'Every /v1/vector_stores route answers 500: the vector-store methods are defined on RealtimeSessionHandler, not on FakeAIService (AttributeError).',
    evidence: 'fakeai/fakeai_service.py:5240',
    evidenceText: 'async def create_vector_store(',
  },
  {
    id: 'responses-output-text-type',
    summary: 'POST /v1/responses returns message content parts of type "text" instead of "output_text", so the openai SDK\'s response.output_text is empty.',
    evidence: 'fakeai/fakeai_service.py:3188',
    evidenceText: '"content": [{"type": "text", "text": completion_text}],',
  },
  {
    id: 'nonstream-delay-ignored',
    summary: 'The non-streaming delay FakeAI computes and logs ("Generating completion with delay …s") is never waited: run_with_delay takes delay keyword-only (utils/async_executor.py:33) but is passed it positionally, so it lands in generate_response, which ignores it.',
    evidence: 'fakeai/fakeai_service.py:3061',
    evidenceText: 'response = await self.executor.run_with_delay(',
  },
  // A defect of 0.3.1 that 0.3.2 no longer shows (helpers/ledger/releases.ts; evidence read in 0.3.1).
  {
    id: 'context-length-not-checked',
    summary: 'A prompt past the model\'s context window is answered 200 with a completion: create_chat_completion never calls validate_context_length (0.3.2 added the call).',
    evidence: 'fakeai/fakeai_service.py:1635',
    evidenceText: 'async def create_chat_completion(',
    evidenceIn: '0.3.1',
  },
  {
    id: 'kv-cache-stats-recursion',
    summary: 'After one prompt of more than ~1000 tokens, GET /kv-cache/metrics answers 500 (RecursionError) for the rest of the server\'s life: the prefix tree holds one node per token, and get_stats counts the chain recursively.',
    evidence: 'fakeai/kv_cache.py:104',
    evidenceText: 'def count_nodes(node):',
  },
  {
    id: 'metrics-printer-race',
    summary: "FakeAI's metrics tracker is shared without a lock: its printer thread iterates the per-endpoint dicts every 5 s (get_metrics) while the event loop adds an endpoint's key on its first request, so now and then the thread dies with RuntimeError: dictionary changed size during iteration (\"Exception in thread … (_print_metrics_periodically)\"), at any moment of a run and caused by no test in particular.",
    evidence: 'fakeai/metrics.py:466',
    evidenceText: 'for endpoint, window in self._metrics[metric_type].items():',
  },
  {
    id: 'embeddings-base64-ignored',
    summary: 'POST /v1/embeddings with encoding_format "base64" answers arrays of floats: 0.3.1 accepts the field but has no base64 path (0.3.2 encodes, services/embedding_service.py:126). Found by the exploration on 0.3.1.',
    evidence: 'fakeai/services/embedding_service.py:121',
    evidenceText: 'embeddings = await self._generate_embeddings(inputs, dimensions)',
    evidenceIn: '0.3.1',
  },
  // Found by the property-based exploration (e2e/explore-requests.test.ts, docs/exploration.md).
  {
    id: 'context-window-mismatch',
    summary: "Chat completions are held to a context window other than the one GET /v1/models advertises: the check reads its own table and falls back to 8192 for every model it does not list (claude-3-haiku advertises 200000 but refuses 8200 tokens; TinyLlama advertises 1024 but takes 3000).",
    evidence: 'fakeai/context_validator.py:75',
    evidenceText: 'return MODEL_CONTEXT_WINDOWS["default"]',
  },
  {
    id: 'context-check-ignores-max-completion-tokens',
    summary: 'The chat context-length check adds max_tokens to the prompt but never max_completion_tokens: a prompt that fills the window with max_completion_tokens 1 is answered 200 (mixtral-8x7b, 32768 + 1 tokens), where the same request with max_tokens 1 gets 400.',
    evidence: 'fakeai/fakeai_service.py:1753',
    evidenceText: 'max_tokens=request.max_tokens,',
  },
  {
    id: 'stream-text-respaced',
    summary: "Streams rebuild the text from regex tokens and put a space before every word token, so contractions arrive split (\"I'd\" streams as \"I' d\") and the stream's completion_tokens counts the pieces: 13 for a text the plain answer counts as 12, past max_tokens 11.",
    evidence: 'fakeai/fakeai_service.py:2376',
    evidenceText: 'if i > 0 and (token[0].isalnum() if token else False):',
  },
  {
    id: 'completion-char-trim-overshoot',
    summary: 'When not one sentence of the made-up answer fits the token budget, it is cut to 4 characters per budgeted token instead, which can hold more tokens than the budget (max_tokens 1 gave 12 completion tokens).',
    evidence: 'fakeai/utils/text_generation.py:100',
    evidenceText: 'max_chars = max_tokens * 4',
  },
  {
    id: 'reasoning-stream-usage-crash',
    summary: 'A streamed chat completion on a reasoning model (gpt-oss-*, deepseek-ai/DeepSeek-R1*) with stream_options.include_usage crashes after its content: len() of the reasoning token count (an int) raises TypeError, so the stream ends without usage or [DONE] and the router\'s active_requests stays raised for good.',
    evidence: 'fakeai/fakeai_service.py:2435',
    evidenceText: 'reasoning_tokens_count = len(reasoning_tokens) if reasoning_tokens else 0',
  },
  {
    id: 'finish-reason-ignores-reasoning',
    summary: 'A reasoning model\'s (deepseek-ai/DeepSeek-R1*, gpt-oss-*) plain chat completion says finish_reason "stop" although its usage reached the limit: finish_reason compares only the answer\'s content tokens with max_tokens (or max_completion_tokens), while usage.completion_tokens adds the reasoning tokens, as OpenAI counts them, and the content\'s own budget is the limit minus the reasoning (fakeai_service.py:1818). Above a limit of about 10 + reasoning such an answer never says "length" (DeepSeek-R1-Distill-Qwen-32B, max_tokens 20: 151 of 400 answers used all 20 tokens, each with "stop").',
    evidence: 'fakeai/fakeai_service.py:1904',
    evidenceText: '"length" if completion_tokens >= max_tokens_requested else "stop"',
  },
  {
    id: 'context-length-unchecked',
    summary: 'Completions, responses and embeddings take a prompt past the model\'s context window with 200: only the chat route checks the context length.',
    evidence: 'fakeai/fakeai_service.py:2513',
    evidenceText: 'async def create_completion(self, request: CompletionRequest)',
  },
  {
    id: 'responses-stream-ignored',
    summary: 'POST /v1/responses with stream: true answers one JSON object, not an event stream: the route returns create_response() whatever the request says.',
    evidence: 'fakeai/app.py:753',
    evidenceText: 'return await fakeai_service.create_response(request)',
  },
  {
    id: 'by-model-ignores-responses',
    summary: 'Per-model metrics (/metrics/by-model/*) never count /v1/responses: the route never calls model_metrics_tracker.track_request.',
    evidence: 'fakeai/app.py:753',
    evidenceText: 'return await fakeai_service.create_response(request)',
  },
  {
    id: 'by-model-ignores-completion-streams',
    summary: 'Per-model metrics (/metrics/by-model/*) count only non-streaming text completions: the streaming branch of /v1/completions returns before model_metrics_tracker.track_request.',
    evidence: 'fakeai/app.py:585',
    evidenceText: 'if request.stream:',
  },
];

export function knownDefect(id: string): KnownDefect {
  const d = KNOWN_DEFECTS.find((k) => k.id === id);
  if (!d) throw new Error(`Unknown known-defect id "${id}" (have: ${KNOWN_DEFECTS.map((k) => k.id).join(', ')}).`);
  return d;
}

/** The test name a defect test gets: the behaviour, then the defect id and evidence (the summary travels in the DefectRecord). */
export function defectTestName(d: KnownDefect, name: string): string {
  return `${name} [known FakeAI defect ${d.id}, ${d.evidence}]`;
}
