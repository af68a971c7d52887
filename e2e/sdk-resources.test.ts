import { describeIfServed } from '../helpers/api/capabilities';
import { apiDriver } from '../helpers/api/api-driver';
import { testKnownDefect } from '../helpers/checks/known-defect-test';
import { ASSISTANT_ROUTES, body, EMBEDDING_MODEL, MODEL } from '../helpers/api/api-requests';
import { openaiClient, type SdkDriver } from '../helpers/api/openai-client';
import { sdkMajors, sdkToFile } from '../helpers/api/openai-sdks';
import { skippedTest } from '../helpers/core/skipped-test';
import { routeCoverageGate } from '../helpers/api/route-coverage';

routeCoverageGate(__filename);

/** Contract violations of 2xx SDK exchanges (undeclared media types are a separate known defect). */
const bodyViolations = (sdk: SdkDriver) =>
  sdk.exchanges.filter((e) => e.status < 300 && /json/.test(e.contentType ?? '')).flatMap((e) => e.violations);

// Every check below runs once per SDK major (openai-sdks.ts): 6.x, and 7.x where Node allows it.
for (const major of sdkMajors()) {
  const tag = `(openai ${major.major}.x ${major.version ?? 'not installed'})`;
  if (!major.runnable) {
    const title = `the openai SDK on the other API areas and the assistants API ${tag}`;
    describe(title, () => skippedTest(title, 'every check of this file', major.reason ?? 'not runnable'));
    continue;
  }
  describe(`the openai SDK on the other API areas ${tag}`, () => {
    test('models, embeddings, moderations and completions parse in the SDK', async () => {
      const sdk = openaiClient(await apiDriver(), undefined, major);
      const c = sdk.client;
      const [models, model, embedding, moderation, completion] = await Promise.all([
        c.models.list(),
        c.models.retrieve(MODEL),
        c.embeddings.create({ model: EMBEDDING_MODEL, input: ['one', 'two'] }),
        c.moderations.create({ input: 'I love sunny days.' }),
        c.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 16 }),
      ]);
      expect(models.data.length).toBeGreaterThan(0);
      expect(model.id).toBe(MODEL);
      expect(embedding.data.map((d) => d.index)).toEqual([0, 1]);
      expect(embedding.data[0].embedding.length).toBeGreaterThan(0);
      expect(typeof moderation.results[0].flagged).toBe('boolean');
      expect(completion.choices[0].text.length).toBeGreaterThan(0);
      expect(bodyViolations(sdk)).toEqual([]);
    });

    testKnownDefect('responses-output-text-type', 'the Responses API answer gives the SDK a non-empty output_text', async () => {
      const sdk = openaiClient(await apiDriver(), undefined, major);
      const response = await sdk.client.responses.create({ model: MODEL, input: 'Say hello.', max_output_tokens: 16 });
      expect(bodyViolations(sdk)).toEqual([]);
      expect(response.output_text.length).toBeGreaterThan(0);
    });

    test('images and speech: the SDK returns a b64 PNG and audio bytes', async () => {
      const sdk = openaiClient(await apiDriver(), undefined, major);
      const [img, speech] = await Promise.all([
        sdk.client.images.generate({ ...(body('POST /v1/images/generations') as { prompt: string }), response_format: 'b64_json' }),
        sdk.client.audio.speech.create({ model: 'tts-1', input: 'Hello.', voice: 'alloy', response_format: 'wav' }),
      ]);
      expect(Buffer.from(img.data?.[0].b64_json ?? '', 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
      const bytes = Buffer.from(await speech.arrayBuffer());
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bodyViolations(sdk)).toEqual([]);
    });

    test('files and fine-tuning: upload with toFile, list, retrieve, create a job, cancel it, delete the file', async () => {
      const sdk = openaiClient(await apiDriver(), undefined, major);
      const c = sdk.client;
      const file = await c.files.create({ file: await sdkToFile(major)(Buffer.from('{"messages":[]}\n'), 'train.jsonl'), purpose: 'fine-tune' });
      const listed = await c.files.list();
      expect(listed.data.map((f) => f.id)).toContain(file.id);
      expect((await c.files.retrieve(file.id)).id).toBe(file.id);
      const job = await c.fineTuning.jobs.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', training_file: file.id });
      expect((await c.fineTuning.jobs.retrieve(job.id)).id).toBe(job.id);
      const jobs = await c.fineTuning.jobs.list({ limit: 5 });
      expect(jobs.data.length).toBeGreaterThan(0);
      expect((await c.fineTuning.jobs.cancel(job.id)).status).toBe('cancelled');
      expect((await c.files.delete(file.id)).deleted).toBe(true);
      expect(bodyViolations(sdk)).toEqual([]);
    });
  });

  describeIfServed(`the openai SDK on the assistants API ${tag}`, ASSISTANT_ROUTES, () => {
    test('assistants, threads, messages and runs: the SDK walks a conversation', async () => {
      const sdk = openaiClient(await apiDriver(), undefined, major);
      const b = sdk.client.beta;
      const assistant = await b.assistants.create({ model: MODEL, name: 'sdk assistant' });
      expect((await b.assistants.update(assistant.id, { name: 'renamed' })).name).toBe('renamed');
      const thread = await b.threads.create({});
      const message = await b.threads.messages.create(thread.id, { role: 'user', content: 'Hello' });
      expect((await b.threads.messages.retrieve(message.id, { thread_id: thread.id })).id).toBe(message.id);
      const run = await b.threads.runs.create(thread.id, { assistant_id: assistant.id });
      expect((await b.threads.runs.retrieve(run.id, { thread_id: thread.id })).id).toBe(run.id);
      const runs = await b.threads.runs.list(thread.id);
      expect(runs.data.map((r) => r.id)).toContain(run.id);
      expect((await b.assistants.delete(assistant.id)).deleted).toBe(true);
      expect(bodyViolations(sdk)).toEqual([]);
    });
  });
}
