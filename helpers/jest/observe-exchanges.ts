/**
 * setupFilesAfterEnv of the e2e project: runs inside each test file's module registry, so the
 * observers it adds are the ones the test's own HTTP, SSE and SDK clients notify
 * (core/exchange-observers.ts). Today: every exchange is also held to OpenAI's own document.
 */
import { addExchangeObserver } from '../core/exchange-observers';
import { readHarnessEnv } from '../core/harness-env';
import { openAiObserver } from '../api/openai-observer';
import { openAiSpecInfo } from '../api/openai-spec';

const info = openAiSpecInfo();
if (info) addExchangeObserver(openAiObserver(readHarnessEnv().runDir, info));
