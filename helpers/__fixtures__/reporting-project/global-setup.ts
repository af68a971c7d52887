// Fixture globalSetup: either fails the way the real one does (a HarnessError with a code), or
// hands the tests a harness env describing a server that is never contacted.
import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../core/config';
import { HarnessError } from '../../core/errors';
import { writeHarnessEnv } from '../../core/harness-env';

export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  if (process.env.FIXTURE_SETUP === 'fail') {
    throw new HarnessError('NEVER_READY', 'FakeAI "default" did not answer /health with ready: true within 45 s (fixture). Raise --timeout.');
  }
  mkdirSync(config.runDir, { recursive: true });
  writeHarnessEnv({
    runDir: config.runDir,
    seed: config.seed,
    servers: {
      default: {
        name: 'default',
        baseUrl: 'http://127.0.0.1:9',
        spawned: true,
        pid: 4242,
        logStart: 0,
        command: ['python', '-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', '9'],
        fakeaiVersion: '0.3.2',
        bootToReadyMs: 1234,
        settings: {},
      },
    },
  });
}
