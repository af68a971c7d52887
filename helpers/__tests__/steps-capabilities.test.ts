import { capabilityDecision, unservedRoutes } from '../api/capabilities';
import type { OpenApiDoc } from '../api/openapi';
import { StepBlocked, stepChain } from '../core/steps';

describe('a dependent step (stepChain)', () => {
  test('a step that succeeded hands its value to the tests that need it', async () => {
    const steps = stepChain(() => undefined);
    await steps.run('create a thread', () => ({ id: 'thread_1' }));
    expect(steps.need<{ id: string }>('create a thread').id).toBe('thread_1');
  });

  test('a step that failed rethrows its own cause once, and blocks each dependent test naming the step and that cause', async () => {
    const blocked: { step: string; cause: string }[] = [];
    const steps = stepChain((b) => blocked.push(b));
    await expect(steps.run('the plain phase', () => Promise.reject(new Error('/kv-cache/metrics: expected 200 with JSON, got 500\n(body)')))).rejects.toThrow(/got 500/);
    const e = (() => {
      try {
        steps.need('the plain phase');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(StepBlocked);
    expect((e as Error).message).toMatch(/^Blocked: needs step "the plain phase", which failed.*: Error: \/kv-cache\/metrics: expected 200 with JSON, got 500$/);
    // One line of the cause, not a copy of the whole failure.
    expect((e as Error).message).not.toMatch(/\(body\)/);
    expect(blocked).toEqual([{ test: expect.anything(), step: 'the plain phase', cause: expect.stringMatching(/^which failed/) }]);
  });

  test('a step that never ran blocks too, saying so', () => {
    const steps = stepChain(() => undefined);
    expect(() => steps.need('the streamed phase')).toThrow(/^Blocked: needs step "the streamed phase", which has not run/);
  });
});

describe('capabilities from the server\'s own /openapi.json', () => {
  const doc: OpenApiDoc = { paths: { '/v1/chat/completions': { post: {} }, '/v1/files/{file_id}': { get: {} } } };
  const v031 = { fakeaiVersion: '0.3.1', spawned: true };

  test('routes the document lists, exactly or by template, are served', () => {
    expect(unservedRoutes(doc, ['POST /v1/chat/completions', 'GET /v1/files/{file_id}'])).toEqual([]);
    expect(capabilityDecision(doc, ['POST /v1/chat/completions'], v031, false)).toEqual({ run: true });
  });

  test('a block needing an unlisted route is skipped, naming the routes and the build', () => {
    const d = capabilityDecision(doc, ['POST /v1/assistants', 'POST /v1/threads', 'POST /v1/chat/completions'], v031, false);
    expect(d).toEqual({ run: false, fail: false, reason: 'not served by fakeai 0.3.1: POST /v1/assistants, POST /v1/threads are not in its /openapi.json' });
  });

  test('with --strict the same block fails instead', () => {
    expect(capabilityDecision(doc, ['POST /v1/assistants'], v031, true)).toMatchObject({ run: false, fail: true, reason: expect.stringMatching(/POST \/v1\/assistants is not in its/) });
  });

  test('a wrong method on a served path is not served', () => {
    expect(unservedRoutes(doc, ['DELETE /v1/files/{file_id}'])).toEqual(['DELETE /v1/files/{file_id}']);
  });
});
