import { apiDriver, expectConforms } from '../helpers/api/api-driver';
import { body } from '../helpers/api/api-requests';
import { openaiClient, shapeOf } from '../helpers/api/openai-client';
import { sdkMajors } from '../helpers/api/openai-sdks';
import { skippedTest } from '../helpers/core/skipped-test';
import { collectStream } from '../helpers/core/sse';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

const CHAT = body('POST /v1/chat/completions', { max_tokens: 24 }) as { model: string; messages: { role: 'user'; content: string }[]; max_tokens: number };

/** JSON round trip: the SDK may hang helper properties on its results; the wire shape is what counts. */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

// Every check below runs once per SDK major (openai-sdks.ts): 6.x, and 7.x where Node allows it.
for (const major of sdkMajors()) {
  const title = `openai ${major.major}.x (${major.version ?? 'not installed'})`;
  describe(title, () => {
    if (!major.runnable) {
      skippedTest(title, 'every check of this file', major.reason ?? 'not runnable');
      return;
    }
    describe('chat through the openai SDK and through plain HTTP', () => {
      test('a non-streaming completion parses in the SDK with the same shape plain HTTP receives', async () => {
        const api = await apiDriver();
        const sdk = openaiClient(api, undefined, major);
        const [viaSdk, viaHttp] = await Promise.all([sdk.client.chat.completions.create({ ...CHAT, stream: false }), api.post('/v1/chat/completions', CHAT)]);
        expectConforms(viaHttp);
        expect(sdk.exchanges.flatMap((e) => e.violations)).toEqual([]);
        expect(viaSdk.choices[0].message.content?.length).toBeGreaterThan(0);
        expect(viaSdk.usage?.total_tokens).toBe((viaSdk.usage?.prompt_tokens ?? 0) + (viaSdk.usage?.completion_tokens ?? 0));
        expect(shapeOf(plain(viaSdk))).toEqual(shapeOf(viaHttp.data));
      });

      test('a stream is consumed by the SDK to the end, with the same chunks shape, text and finish as an SSE parse of the same request', async () => {
        const api = await apiDriver();
        const sdk = openaiClient(api, undefined, major);
        const req = { ...CHAT, stream: true as const, stream_options: { include_usage: true } };
        const chunks: unknown[] = [];
        for await (const chunk of await sdk.client.chat.completions.create(req)) chunks.push(plain(chunk));
        const raw = await collectStream(api.baseUrl, req);
        expect(raw.error).toBeNull();
        expect(raw.doneIndex).toBeGreaterThan(0);
        const rawChunks = raw.events.filter((e) => !e.done).map((e) => e.json);

        const text = (cs: any[]) => cs.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
        const finish = (cs: any[]) => cs.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean);
        expect(chunks.length).toBeGreaterThan(1);
        expect(text(chunks).length).toBeGreaterThan(0);
        expect(finish(chunks)).toEqual(finish(rawChunks));
        expect(shapeOf(chunks[0])).toEqual(shapeOf(rawChunks[0]));
        // include_usage: the last chunk carries usage in both parses, or in neither.
        expect(Boolean((chunks.at(-1) as any).usage)).toBe(Boolean((rawChunks.at(-1) as any).usage));
      });

      test('tool calls come back in a form the SDK parses: a function name and JSON arguments', async () => {
        const api = await apiDriver();
        const sdk = openaiClient(api, undefined, major);
        const res = await sdk.client.chat.completions.create({
          ...CHAT,
          messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
          tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
          tool_choice: { type: 'function', function: { name: 'get_weather' } },
        });
        expect(sdk.exchanges.flatMap((e) => e.violations)).toEqual([]);
        const call = res.choices[0].message.tool_calls?.[0];
        expect(call?.type).toBe('function');
        if (call?.type !== 'function') return;
        expect(call.function.name).toBe('get_weather');
        expect(() => JSON.parse(call.function.arguments)).not.toThrow();
      });

      test('a request the server rejects surfaces as the SDK\'s typed error with the status', async () => {
        const api = await apiDriver();
        const sdk = openaiClient(api, undefined, major);
        const err = await sdk.client.chat.completions.create({ model: CHAT.model, messages: 'not a list' as never }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as { status?: number }).status).toBe(422);
      });
    });
  });
}
