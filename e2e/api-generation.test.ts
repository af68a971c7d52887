import { apiDriver, bodyText, expectConforms, type Exchange } from '../helpers/api/api-driver';
import { runBounded } from '../helpers/core/load';
import { expectDefectOrFix, testKnownDefect } from '../helpers/checks/known-defect-test';
import { body } from '../helpers/api/api-requests';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Magic bytes a file of each speech format starts with (MP3 may start with an ID3 tag or a frame sync). */
const AUDIO_MAGIC: Record<string, { type: RegExp; test: (b: Buffer) => boolean }> = {
  mp3: { type: /^audio\/mpeg/, test: (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0) },
  wav: { type: /^audio\/(wav|x-wav|wave)/, test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WAVE' },
  flac: { type: /^audio\/flac/, test: (b) => b.subarray(0, 4).toString('latin1') === 'fLaC' },
  opus: { type: /^audio\/(opus|ogg)/, test: (b) => b.subarray(0, 4).toString('latin1') === 'OggS' },
  aac: { type: /^audio\/aac/, test: (b) => b[0] === 0xff && (b[1] & 0xf6) === 0xf0 },
};

/**
 * FakeAI sleeps 1.5–3 s per image (image_generation_service.py:219) and 0.6–0.8 s per speech
 * (audio_service.py:136) whatever its latency settings, and no check here reads those delays. So
 * every image and speech answer the checks below read is asked for once, all together, before the
 * first test: the file waits for the slowest of them, not their sum (it was an image, then three
 * speech tests in a row). An exception they cause lands in no test's window and fails the run as one
 * no test owned (globalTeardown), instead of failing one test.
 */
const SPEECH_FORMATS = ['mp3', 'wav', 'opus', 'aac', 'flac'] as const;
let byUrl: Exchange;
let byB64: Exchange;
const speech: Partial<Record<(typeof SPEECH_FORMATS)[number], Exchange>> = {};
beforeAll(async () => {
  const api = await apiDriver();
  const speak = SPEECH_FORMATS.map(async (f) => (speech[f] = await api.post('/v1/audio/speech', body('POST /v1/audio/speech', { response_format: f }))));
  [byUrl, byB64] = await Promise.all([
    api.post('/v1/images/generations', body('POST /v1/images/generations')),
    api.post('/v1/images/generations', body('POST /v1/images/generations', { response_format: 'b64_json' })),
    ...speak,
  ]);
});

describe('text generation routes', () => {
  test('completions, text generation, responses, embeddings, moderations, ranking and RAG answer what the document declares', async () => {
    const api = await apiDriver();
    const routes = ['/v1/completions', '/v1/text/generation', '/v1/responses', '/v1/embeddings', '/v1/moderations', '/v1/ranking', '/rag/api/prompt'];
    const results = await runBounded(routes, 4, (r) => api.post(r, body(`POST ${r}`)));
    expectConforms(results);
    const [completion, , , embedding, moderation, ranking] = results;
    expect(completion.data.choices[0].text.length).toBeGreaterThan(0);
    expect(embedding.data.data[0].embedding.length).toBeGreaterThan(0);
    expect(typeof moderation.data.results[0].flagged).toBe('boolean');
    expect(ranking.data.rankings.map((r: { index: number }) => r.index).sort()).toEqual([0, 1]);
  });
});

describe('images', () => {
  test('POST /v1/images/generations with b64_json answers a decodable PNG', () => {
    expectConforms(byB64);
    const png = Buffer.from(byB64.data.data[0].b64_json, 'base64');
    expect(png.subarray(0, 8)).toEqual(PNG);
  });

  test('GET /images/{image_id}.png serves the generated image as image/png with PNG magic bytes', async () => {
    const api = await apiDriver();
    expectConforms(byUrl);
    const { pathname } = new URL(byUrl.data.data[0].url);
    expect(pathname).toMatch(/^\/images\/[^/]+\.png$/);
    const img = await api.get(pathname);
    expect(img.status).toBe(200);
    expect(img.contentType).toMatch(/^image\/png/);
    expect(img.raw.subarray(0, 8)).toEqual(PNG);
  });

  testKnownDefect('image-url-wrong-port', 'generated image URLs point at the server that made them', async () => {
    const api = await apiDriver();
    expect(new URL(byUrl.data.data[0].url).origin).toBe(api.baseUrl);
  });

  testKnownDefect('images-invalid-size-500', 'an unsupported image size is a 4xx client error, not a 500', async () => {
    const api = await apiDriver();
    const res = await api.post('/v1/images/generations', body('POST /v1/images/generations', { model: 'dall-e-3', size: '256x256' }));
    expectDefectOrFix(res.status === 500 || (res.status >= 400 && res.status < 500), `status ${res.status}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('speech', () => {
  test('POST /v1/audio/speech answers mp3 and wav audio with matching content type and magic bytes', () => {
    const formats = ['mp3', 'wav'] as const;
    formats.map((f) => speech[f]!).forEach((res, i) => {
      const format = formats[i];
      expect(res.requestViolations).toEqual([]);
      expect(`${format}: ${res.status}`).toBe(`${format}: 200`);
      expect(res.contentType).toMatch(AUDIO_MAGIC[format].type);
      expect(res.raw.length).toBeGreaterThan(100);
      expect(`${format}: ${AUDIO_MAGIC[format].test(res.raw)}`).toBe(`${format}: true`);
    });
  });

  testKnownDefect('speech-format-mislabelled', 'opus, aac and flac speech carry the bytes of their own format', () => {
    const formats = ['opus', 'aac', 'flac'] as const;
    const results = formats.map((f) => speech[f]!);
    // The defect is mislabelled bytes in a 200; a failed request is something else.
    expectDefectOrFix(results.every((r) => r.status === 200), `statuses ${results.map((r) => r.status).join(', ')}`);
    const wrong = results.map((r, i) => ({ format: formats[i], type: r.contentType, ok: r.status === 200 && AUDIO_MAGIC[formats[i]].test(r.raw), head: r.raw.subarray(0, 4).toString('hex') })).filter((x) => !x.ok);
    expect(wrong).toEqual([]);
  });
});

describe('media types the document declares', () => {
  testKnownDefect('openapi-media-types', 'binary and text routes answer a media type /openapi.json declares for them', async () => {
    const api = await apiDriver();
    // The speech answer is the mp3 one above: body()'s default format is mp3, the same request.
    const results = [speech.mp3!, ...(await Promise.all([api.get('/metrics/csv'), api.post('/v1/chat/completions', body('POST /v1/chat/completions', { stream: true }))]))];
    const undeclared = results.filter((r) => r.violations.some((v) => v.rule.startsWith('responses/'))).map((r) => `${r.method} ${r.path}: ${r.contentType} (${bodyText(r).length} bytes)`);
    expect(undeclared).toEqual([]);
  });
});
