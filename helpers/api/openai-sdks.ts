/**
 * The official `openai` npm SDK at each major the suite drives: 6.x (package `openai`) and the
 * current 7.x (package `openai-v7`, an npm alias of openai@7 in package.json). 7.x declares
 * Node ≥ 22, so its checks run only there; on an older Node they are skipped with that reason, and
 * the reports say which majors ran. The package is loaded only when its checks run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type OpenAI from 'openai';
import { PROJECT_ROOT } from '../core/config';

export interface SdkMajor {
  major: number;
  /** The npm package (or alias) it is installed under. */
  packageName: string;
  /** The installed version, null when it is not installed. */
  version: string | null;
  /** The lowest Node major its package.json `engines` allows. */
  minNode: number;
  runnable: boolean;
  /** Why its checks cannot run here (null when they can). */
  reason: string | null;
  /** The driver name its exchanges are recorded under ('sdk' for 6.x, as before 7.x existed). */
  driver: string;
}

const MAJORS = [
  { major: 6, packageName: 'openai', driver: 'sdk' },
  { major: 7, packageName: 'openai-v7', driver: 'sdk-v7' },
] as const;

function installed(packageName: string): { version: string; minNode: number } | null {
  try {
    // Read from disk: openai@7's `exports` does not export its package.json.
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', packageName, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
    return { version: pkg.version, minNode: Number(/(\d+)/.exec(pkg.engines?.node ?? '')?.[1] ?? 0) };
  } catch {
    return null;
  }
}

/** Every SDK major the suite knows, with whether it can run on `nodeVersion`. */
export function sdkMajors(nodeVersion = process.versions.node): SdkMajor[] {
  const nodeMajor = Number(nodeVersion.split('.')[0]);
  return MAJORS.map((m) => {
    const pkg = installed(m.packageName);
    const reason = !pkg
      ? `${m.packageName} is not installed (run "npm install")`
      : nodeMajor < pkg.minNode
        ? `openai ${pkg.version} requires Node ≥ ${pkg.minNode}; this is Node ${nodeVersion}`
        : null;
    return { ...m, version: pkg?.version ?? null, minNode: pkg?.minNode ?? 0, runnable: reason === null, reason };
  });
}

/** The SDK's client class. Its 7.x surface is used through 6.x's types: the calls the suite makes exist in both. */
export function loadSdk(sdk: Pick<SdkMajor, 'packageName' | 'runnable' | 'reason'>): typeof OpenAI {
  if (!sdk.runnable) throw new Error(`cannot load ${sdk.packageName}: ${sdk.reason}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(sdk.packageName) as { default?: typeof OpenAI; OpenAI?: typeof OpenAI };
  return (mod.OpenAI ?? mod.default) as typeof OpenAI;
}

/** A `toFile` from the same SDK as the client it is sent with. */
export function sdkToFile(sdk: Pick<SdkMajor, 'packageName' | 'runnable' | 'reason'>): typeof import('openai').toFile {
  if (!sdk.runnable) throw new Error(`cannot load ${sdk.packageName}: ${sdk.reason}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(sdk.packageName) as typeof import('openai')).toFile;
}
