/**
 * Which e2e test files a run's Jest arguments select, told cheaply or not at all. Two readers:
 * globalSetup (helpers/jest/global-setup.ts: which server profiles to start), from the global and
 * project configs Jest hands it; and the CLI (scripts/e2e.ts: how many Jest workers to ask for),
 * from the same arguments before Jest has read them. One set of rules, so the two never disagree on
 * a file. Where the arguments need git, a dependency graph or user code to resolve, the answer is
 * "everything": starting too much costs time, starting too little fails tests.
 *
 * Path patterns are matched by Jest's own executor (`@jest/pattern`, handed in), never re-implemented.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The part of Jest's global config that says which test files this run selected. */
export interface RunSelection {
  rootDir?: string;
  /** Jest's worker count (1 under --runInBand): how many files may run at once. */
  maxWorkers?: number;
  testPathPatterns?: { isSet?: () => boolean; toExecutor?: (o: { rootDir: string }) => { isMatch(absPath: string): boolean } };
  /** --runTestsByPath: the arguments are exact paths, not patterns. */
  runTestsByPath?: boolean;
  nonFlagArgs?: string[];
  // Selections that need the git history, the module graph or a user module to resolve.
  onlyChanged?: boolean;
  changedSince?: string;
  lastCommit?: boolean;
  findRelatedTests?: boolean;
  filter?: string | null;
}

/** The part of the e2e project's config (Jest's second globalSetup argument) that drops test files. */
export interface ProjectSelection {
  rootDir?: string;
  cwd?: string;
  /** Regex sources, <rootDir> already replaced; CLI --testPathIgnorePatterns lands here. */
  testPathIgnorePatterns?: string[];
}

export type FileFilter = (absPath: string) => boolean;

/** Which files the run's arguments select; everything when they cannot say cheaply. */
export function selectedByArguments(selection: RunSelection | undefined, project: ProjectSelection | undefined, root: string): FileFilter {
  if (!selection) return () => true;
  // Changed files, related files and filter modules would cost git, a dependency graph or user
  // code to resolve here: over-starting a profile costs a boot, under-starting fails its tests.
  if (selection.onlyChanged || selection.changedSince || selection.lastCommit || selection.findRelatedTests || selection.filter) return () => true;
  const args = selection.nonFlagArgs ?? [];
  if (selection.runTestsByPath && args.length > 0) {
    const exact = new Set(args.map((a) => path.resolve(project?.cwd ?? root, a)));
    return (file) => exact.has(file);
  }
  const patterns = selection.testPathPatterns;
  if (!patterns?.isSet?.() || !patterns.toExecutor) return () => true;
  const executor = patterns.toExecutor({ rootDir: project?.rootDir ?? selection.rootDir ?? root });
  return (file) => executor.isMatch(file);
}

/** Jest's own rule: a file matching any ignore pattern is never run, whatever selected it. */
export function notIgnored(project: ProjectSelection | undefined): FileFilter {
  const ignore = project?.testPathIgnorePatterns ?? [];
  if (ignore.length === 0) return () => true;
  const regex = new RegExp(ignore.join('|'));
  return (file) => !regex.test(file);
}

/** Whether the run executes `file` (absolute): selected by its arguments and not ignored. */
export function runsFile(selection: RunSelection | undefined, project: ProjectSelection | undefined, root: string): FileFilter {
  const selected = selectedByArguments(selection, project, root);
  const kept = notIgnored(project);
  return (file) => selected(file) && kept(file);
}

/** Jest's pattern class (`@jest/pattern`'s TestPathPatterns), as the CLI hands it in. */
export type TestPathPatternsClass = new (patterns: string[]) => NonNullable<RunSelection['testPathPatterns']> & { isValid(): boolean };

/** The Jest CLI arguments (yargs' output, jest's buildArgv) this module reads. */
export interface JestArgvSelection {
  _?: Array<string | number>;
  testPathPatterns?: string[];
  testPathIgnorePatterns?: string[];
  runTestsByPath?: boolean;
  [flag: string]: unknown;
}

/**
 * Arguments that change the set of candidate files itself, or need git, the module graph or user
 * code to tell what is selected: with any of them the CLI cannot count the selection cheaply.
 */
export const UNCOUNTABLE_FLAGS = [
  'onlyChanged', 'changedSince', 'lastCommit', 'changedFilesWithAncestor', 'findRelatedTests', 'filter',
  'watch', 'watchAll', 'config', 'rootDir', 'roots', 'projects', 'testMatch', 'testRegex',
] as const;

/**
 * The selection Jest will derive from `argv` (the same steps as jest-config's normalize: positional
 * arguments and --testPathPatterns join into one TestPathPatterns; an invalid one means every test;
 * --testPathIgnorePatterns replaces the project's, `<rootDir>` replaced), or null when the
 * arguments hold anything this cannot follow (UNCOUNTABLE_FLAGS).
 */
export function selectionOfArgv(
  argv: JestArgvSelection,
  TestPathPatterns: TestPathPatternsClass,
  root: string,
  cwd: string,
  projectIgnore: readonly string[] = ['/node_modules/'],
): { selection: RunSelection; project: ProjectSelection } | null {
  if (UNCOUNTABLE_FLAGS.some((f) => argv[f] !== undefined && argv[f] !== false)) return null;
  const positional = (argv._ ?? []).map(String);
  const patterns = new TestPathPatterns([...positional, ...(argv.testPathPatterns ?? [])]);
  const valid = patterns.isValid();
  const ignore = (argv.testPathIgnorePatterns ?? projectIgnore).map((p) => p.split('<rootDir>').join(root));
  return {
    selection: { rootDir: root, testPathPatterns: valid ? patterns : new TestPathPatterns([]), runTestsByPath: argv.runTestsByPath === true, nonFlagArgs: positional },
    project: { rootDir: root, cwd, testPathIgnorePatterns: ignore },
  };
}

/** Every `*.test.ts` under `dir` (the e2e project's testMatch, `<rootDir>/e2e/**\/*.test.ts`), absolute. */
export function testFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(path.join(d, e.name));
      } else if (e.name.endsWith('.test.ts')) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * How many Jest workers to ask for: the configured count, or the number of files the run executes
 * when that is fewer (a worker without a file still costs a Node process and its start-up, ~50–100 ms
 * of CPU each). `selected` null (the arguments cannot be told cheaply) keeps the configured count.
 * Never 0: a selection of no files leaves Jest to say so.
 */
export function workersForSelection(configured: number, candidates: readonly string[], selected: { selection: RunSelection; project: ProjectSelection } | null, root: string): number {
  if (!selected || configured <= 1) return configured;
  const runs = runsFile(selected.selection, selected.project, root);
  return Math.max(1, Math.min(configured, candidates.filter(runs).length));
}

export interface JestWorkerOptions {
  runInBand: boolean;
  maxWorkers?: number;
  workerIdleMemoryLimit?: string;
}

/**
 * --workers N as Jest options (`-- --runInBand` still wins: one file at a time, one slot). Jest would
 * still run in band when its cache says every file is under a second and there are at most 20 of
 * them (the seed subset); setting an idle memory limit is its documented way to always use workers.
 * The limit itself is far above a worker's size (~150 MB here), so no worker is ever recycled for
 * memory; if one were, its restart keeps its server slot (helpers/core/worker-slot.ts).
 *
 * Jest starts maxWorkers workers whatever the selection (a one-file run started 4, 3 of them idle),
 * and its global config is frozen by the time the sequencer learns the count: so the CLI counts the
 * selection from the same arguments and caps maxWorkers (still in workers, never in band: a file's
 * tests run in a process of their own whatever the count). Arguments it cannot follow keep
 * `workers`. A sharded run's count is the selection before the split: an upper bound, which is all
 * a cap needs.
 */
export function jestWorkerOptions(workers: number, argv: JestArgvSelection, TestPathPatterns: TestPathPatternsClass, root: string, cwd: string): JestWorkerOptions {
  if (workers <= 1) return { runInBand: true };
  const maxWorkers = workersForSelection(workers, testFilesUnder(path.join(root, 'e2e')), selectionOfArgv(argv, TestPathPatterns, root, cwd), root);
  return { runInBand: false, maxWorkers, workerIdleMemoryLimit: '2GB' };
}
