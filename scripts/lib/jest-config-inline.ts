/**
 * jest.config.ts handed to Jest as the JSON string `--config` accepts, so Jest does not load the
 * file itself. Jest loads a TypeScript config through esbuild-register (the file's docblock), which
 * it imports as an ES module and which compiles with no cache: 70–130 ms on the critical path of
 * every `npm run e2e` (measured 2026-12-06 with jest-config's readConfigs, warm), against ~15 ms
 * for requiring the file through scripts/register.js's cached compile and parsing the JSON.
 *
 * The JSON must say exactly what the file says to Jest: `rootDir` is set where Jest would have
 * derived it from the file's location (the project root, for the config and each inline project;
 * without a file Jest would take the working directory), and a config JSON cannot carry (a
 * function, a RegExp, undefined) returns null so that Jest reads the file as before.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

interface JestConfigLike {
  rootDir?: string;
  projects?: Array<string | Record<string, unknown>>;
  [option: string]: unknown;
}

/**
 * The config as `--config` JSON with its rootDirs made explicit, or null when JSON cannot carry it
 * or the config is of a kind whose rootDir rules this does not follow (a rootDir of its own, projects
 * given as paths): then Jest reads the file.
 */
export function inlineJestConfig(config: JestConfigLike, root: string): string | null {
  if (config.rootDir !== undefined) return null;
  const projects = config.projects ?? [];
  if (projects.some((p) => typeof p !== 'object' || p === null || 'rootDir' in p)) return null;
  const inline: JestConfigLike = { ...config, rootDir: root, ...(config.projects ? { projects: projects.map((p) => ({ ...(p as object), rootDir: root })) } : {}) };
  const json = JSON.stringify(inline);
  return isDeepStrictEqual(JSON.parse(json), inline) ? json : null;
}

/** The project's jest.config.ts, loaded with this process's own TypeScript loader, as `--config` JSON; null to let Jest read it. */
export function projectJestConfigJson(root: string): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(path.join(root, 'jest.config.ts')) as { default?: JestConfigLike };
    return loaded.default && typeof loaded.default === 'object' ? inlineJestConfig(loaded.default, root) : null;
  } catch {
    // Jest reads the file itself and reports what is wrong with it in its own words.
    return null;
  }
}
