import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const bench = (...args: string[]) =>
  spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'scripts', 'bench.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

describe('npm run bench command line', () => {
  it('prints every flag with its variable on --help and exits 0', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    for (const flag of ['--quick', '--out', '--baseline', '--fail-on-regression', '--host', '--port', '--python', '--no-color']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('E2E_BENCH_BASELINE');
  });

  it('exits 2 on an unknown flag, naming it', () => {
    const r = bench('--fastest');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown flag "--fastest"/);
  });

  it('exits 2 on a baseline that is not a bench result, before starting any server', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
    const bad = path.join(dir, 'not-a-result.json');
    writeFileSync(bad, JSON.stringify({ hello: 'world' }));
    const started = Date.now();
    const r = bench('--baseline', bad, '--out', path.join(dir, 'out.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-result\.json: not a bench result/);
    expect(r.stderr).not.toMatch(/starting/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
