/**
 * `npm run matrix -- [--fakeai SPEC]... [--parallel N] [--reports-dir DIR] [-- jest args]`
 *
 * Runs the whole suite against several FakeAI builds — by default every 0.3.x release PyPI serves
 * (asked once with `pip index versions fakeai`), plus each --fakeai SPEC — one after the other
 * (this machine has 2 cores; --parallel N runs N at once), each as its own `npm run e2e -- --fakeai
 * SPEC` with its own reports directory, then compares their e2e-report.json files
 * (helpers/reporting/matrix.ts) and prints and writes matrix.json, matrix.md and matrix.html.
 *
 * A build that cannot start (0.3.0's wheel does not import) is a column saying why. Exit codes: 0
 * every build passed or could not start; 1 a build failed its tests (or left no report); 2 usage.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, VENV_PYTHON } from '../helpers/core/config';
import { runBounded } from '../helpers/core/load';
import { parseBuildSpec } from '../helpers/server/build-spec';
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown, renderMatrixText, type BuildRun, type RunReport } from '../helpers/reporting/matrix';

interface MatrixArgs {
  specs: string[];
  parallel: number;
  reportsDir: string;
  releases: boolean;
  seed: number | undefined;
  jestArgs: string[];
}

const USAGE = `Usage: npm run matrix -- [--fakeai SPEC]... [--no-releases] [--parallel N] [--seed N] [--reports-dir DIR] [-- jest args]

Runs the e2e suite against several FakeAI builds and prints one table comparing them.
  --fakeai SPEC     a build to add (a PyPI version, a source checkout, a wheel, anything pip accepts); repeatable
  --no-releases     only the --fakeai builds, not every 0.3.x release PyPI serves
  --parallel N      builds run at once (default 1: one after the other)
  --reports-dir DIR where each build's reports and matrix.{json,md,html} go (default reports/matrix)
  --seed N          the seed every build's run uses (default: one random seed, printed)
Exit codes: 0 every build passed or could not start (its column says why); 1 a build failed; 2 usage.`;

function parseArgs(argv: string[]): MatrixArgs | string {
  const sep = argv.indexOf('--');
  const own = sep === -1 ? argv : argv.slice(0, sep);
  const out: MatrixArgs = { specs: [], parallel: 1, reportsDir: path.join(PROJECT_ROOT, 'reports', 'matrix'), releases: true, seed: undefined, jestArgs: sep === -1 ? [] : argv.slice(sep + 1) };
  for (let i = 0; i < own.length; i++) {
    const [flag, inline] = own[i].split(/=(.*)/s, 2);
    const value = () => inline ?? own[++i];
    if (flag === '--help' || flag === '-h') return USAGE;
    else if (flag === '--fakeai') out.specs.push(value());
    else if (flag === '--no-releases') out.releases = false;
    else if (flag === '--parallel') out.parallel = Number(value());
    else if (flag === '--seed') out.seed = Number(value());
    else if (flag === '--reports-dir') out.reportsDir = path.resolve(value());
    else return `Unknown argument "${own[i]}".\n\n${USAGE}`;
  }
  if (!Number.isInteger(out.parallel) || out.parallel < 1) return `--parallel must be a whole number from 1, got "${out.parallel}".`;
  if (out.specs.some((s) => !s)) return '--fakeai needs a value.';
  if (out.seed !== undefined && !(Number.isInteger(out.seed) && out.seed >= 0)) return '--seed must be a whole number.';
  return out;
}

/** Every 0.3.x release PyPI serves, oldest first; asked through pip, the ordinary client. */
function pypiReleases(): { versions: string[]; note: string | null } {
  const python = existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
  const r = spawnSync(python, ['-m', 'pip', 'index', 'versions', 'fakeai', '--disable-pip-version-check'], { encoding: 'utf8' });
  const line = `${r.stdout ?? ''}`.split('\n').find((l) => l.startsWith('Available versions:'));
  if (r.status !== 0 || !line) return { versions: [], note: `could not list fakeai releases on PyPI (pip index versions: ${(r.stderr || r.stdout || '').trim().split('\n').pop()})` };
  const versions = line.replace('Available versions:', '').split(',').map((v) => v.trim()).filter((v) => /^0\.3\.\d+$/.test(v));
  return { versions: versions.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])), note: null };
}

function runOne(spec: string, dir: string, seed: number, jestArgs: string[]): Promise<BuildRun> {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'e2e-report.json');
  const args = ['-r', './scripts/register.js', 'scripts/e2e.ts', '--fakeai', spec, '--reports-dir', dir, '--json', json, '--seed', String(seed), '--quiet', '--no-color', ...(jestArgs.length ? ['--', ...jestArgs] : [])];
  // The child's own runs must not inherit a build handoff or an interpreter choice from this shell's E2E_*.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'E2E_FAKEAI_BUILD' && k !== 'E2E_FAKEAI' && k !== 'E2E_URL'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => log.push(b));
    child.stderr.on('data', (b: Buffer) => log.push(b));
    // Ctrl-C reaches the child through the process group; SIGTERM to us is passed on.
    const forward = () => child.kill('SIGTERM');
    process.once('SIGTERM', forward);
    child.on('close', (code) => {
      process.removeListener('SIGTERM', forward);
      writeFileSync(path.join(dir, 'e2e-output.txt'), Buffer.concat(log));
      let report: RunReport | null = null;
      let note: string | undefined;
      try {
        report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
      } catch {
        const tail = Buffer.concat(log).toString('utf8').trim().split('\n').slice(-3).join(' / ');
        note = `exit ${code}, no e2e-report.json (${tail})`;
      }
      process.stdout.write(`[matrix] ${spec}: exit ${code}${report ? ` — ${report.verdictLine ?? report.verdict}` : ''}\n`);
      resolve({ spec, exitCode: code, report, note, dir });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process[args === USAGE ? 'stdout' : 'stderr'].write(`${args}\n`);
    return args === USAGE ? 0 : 2;
  }
  for (const s of args.specs) {
    try {
      parseBuildSpec(s);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
  }
  const listed = args.releases ? pypiReleases() : { versions: [], note: null };
  if (listed.note) process.stderr.write(`[matrix] ${listed.note}; running only the --fakeai builds\n`);
  const specs = [...new Set([...listed.versions, ...args.specs])];
  if (specs.length === 0) {
    process.stderr.write('[matrix] no builds to run: PyPI could not be asked and no --fakeai was given.\n');
    return 2;
  }
  // One seed for every build: generated inputs (and the test names that carry the seed) then match.
  const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`[matrix] ${specs.length} builds (${specs.join(', ')}), ${args.parallel} at a time, seed ${seed}; reports in ${path.relative(process.cwd(), args.reportsDir) || '.'}\n`);
  const runs = await runBounded(specs, args.parallel, (spec) => runOne(spec, path.join(args.reportsDir, parseBuildSpec(spec).key), seed, args.jestArgs));
  const matrix = buildMatrix(runs);
  mkdirSync(args.reportsDir, { recursive: true });
  writeFileSync(path.join(args.reportsDir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(path.join(args.reportsDir, 'matrix.md'), renderMatrixMarkdown(matrix));
  writeFileSync(path.join(args.reportsDir, 'matrix.html'), renderMatrixHtml(matrix));
  process.stdout.write(renderMatrixText(matrix));
  process.stdout.write(`\nWritten: ${['matrix.json', 'matrix.md', 'matrix.html'].map((f) => path.join(args.reportsDir, f)).join(', ')}\n`);
  return matrix.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`matrix: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
