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
    // FakeAI sleeps 1.5–3 s per image (image_generation_service.py:219), 0.6–0.8 s per speech and
    // 0.5–1.5 s per upload (fakeai_service.py:2763), and no check here reads those delays: the slow
    // requests are sent together before the first test, so the file waits for the slowest, not the
    // sum. Each SDK driver keeps its exchanges, and the test that reads an answer checks them.
    // An exception they cause lands in no test's window and fails the run as one no test owned.
    const generate = (sdk: SdkDriver) =>
      Promise.all([
        sdk.client.images.generate({ ...(body('POST /v1/images/generations') as { prompt: string }), response_format: 'b64_json' }),
        sdk.client.audio.speech.create({ model: 'tts-1', input: 'Hello.', voice: 'alloy', response_format: 'wav' }),
      ]);
    const uploadFile = async (sdk: SdkDriver) => sdk.client.files.create({ file: await sdkToFile(major)(Buffer.from('{"messages":[]}\n'), 'train.jsonl'), purpose: 'fine-tune' });
    let media: { sdk: SdkDriver; answers: Awaited<ReturnType<typeof generate>> };
    let upload: { sdk: SdkDriver; file: Awaited<ReturnType<typeof uploadFile>> };
    beforeAll(async () => {
      const api = await apiDriver();
      const [mediaSdk, uploadSdk] = [openaiClient(api, undefined, major), openaiClient(api, undefined, major)];
      const [answers, file] = await Promise.all([generate(mediaSdk), uploadFile(uploadSdk)]);
      media = { sdk: mediaSdk, answers };
      upload = { sdk: uploadSdk, file };
    });

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
      const { sdk, answers: [img, speech] } = media;
      expect(Buffer.from(img.data?.[0].b64_json ?? '', 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
      const bytes = Buffer.from(await speech.arrayBuffer());
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bodyViolations(sdk)).toEqual([]);
    });

    test('files and fine-tuning: upload with toFile, list, retrieve, create a job, cancel it, delete the file', async () => {
      const { sdk, file } = upload;
      const c = sdk.client;
      // Reads that do not depend on each other go together; each step still follows what it needs.
      const [listed, retrieved, job] = await Promise.all([c.files.list(), c.files.retrieve(file.id), c.fineTuning.jobs.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', training_file: file.id })]);
      expect(listed.data.map((f) => f.id)).toContain(file.id);
      expect(retrieved.id).toBe(file.id);
      const [jobRetrieved, jobs] = await Promise.all([c.fineTuning.jobs.retrieve(job.id), c.fineTuning.jobs.list({ limit: 5 })]);
      expect(jobRetrieved.id).toBe(job.id);
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
      // Steps that do not depend on each other go together; each still follows what it needs.
      const [assistant, thread] = await Promise.all([b.assistants.create({ model: MODEL, name: 'sdk assistant' }), b.threads.create({})]);
      const [updated, message] = await Promise.all([b.assistants.update(assistant.id, { name: 'renamed' }), b.threads.messages.create(thread.id, { role: 'user', content: 'Hello' })]);
      expect(updated.name).toBe('renamed');
      const [messageRetrieved, run] = await Promise.all([b.threads.messages.retrieve(message.id, { thread_id: thread.id }), b.threads.runs.create(thread.id, { assistant_id: assistant.id })]);
      expect(messageRetrieved.id).toBe(message.id);
      const [runRetrieved, runs] = await Promise.all([b.threads.runs.retrieve(run.id, { thread_id: thread.id }), b.threads.runs.list(thread.id)]);
      expect(runRetrieved.id).toBe(run.id);
      expect(runs.data.map((r) => r.id)).toContain(run.id);
      expect((await b.assistants.delete(assistant.id)).deleted).toBe(true);
      expect(bodyViolations(sdk)).toEqual([]);
    });
  });
}
