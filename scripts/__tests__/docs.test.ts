/**
 * The docs cannot drift from the code: generated blocks are current, and every relative link in
 * README.md and docs/ resolves. Each rule is also shown failing on crafted pages.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/core/config';
import { anchorsOf, brokenLinks, docPages, headerSentence, libraryModules, renderFlags, renderKnownDefects, replaceBlock, specsByDefect, stalePages } from '../lib/docs';

describe('the docs of this checkout', () => {
  test('every generated block matches the code (run "npm run docs" when this fails)', () => {
    expect(stalePages(PROJECT_ROOT)).toEqual([]);
  });

  test('every relative link and #anchor in README.md and docs/ resolves', () => {
    const pages = docPages(PROJECT_ROOT);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flatMap((p) => brokenLinks(p, readFileSync(path.join(PROJECT_ROOT, p), 'utf8'), PROJECT_ROOT))).toEqual([]);
  });

  test('the README stays a front door: 250 lines at most', () => {
    expect(readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(251);
  });
});

describe('generated blocks', () => {
  test('the flag table has a row per option and the known-defect block a row per defect', () => {
    expect(renderFlags([{ flag: '--x', arg: 'N', env: 'E2E_X', default: '1', description: 'a | b' }])).toContain('| `--x N` | `E2E_X` | 1 | a \\| b |');
    const block = renderKnownDefects([{ id: 'd-1', summary: 's', evidence: 'fakeai/a.py:1' }, { id: 'd-2', summary: 't', evidence: 'fakeai/b.py:2' }], [], [], new Map([['d-1', ['e2e/x.test.ts']]]));
    // The releases column: a defect with no entry in helpers/ledger/releases.ts affects the pinned release only.
    expect(block).toContain('| `d-1` | `fakeai/a.py:1` | 0.3.2 | [x.test.ts](../e2e/x.test.ts) | s |');
    expect(block).toContain('| `d-2` | `fakeai/b.py:2` | 0.3.2 | — | t |');
  });

  test('every known defect of the ledger is tested in at least one spec file', () => {
    const untested = [...specsByDefect(PROJECT_ROOT)].filter(([, files]) => files.length === 0).map(([id]) => id);
    expect(untested).toEqual([]);
  });

  test('a stale block, a page without markers, and a missing page are each reported', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'docs-'));
    try {
      mkdirSync(path.join(root, 'docs'));
      writeFileSync(path.join(root, 'docs/known-defects.md'), '# K\n<!-- generated:known-defects -->\nold list\n<!-- /generated:known-defects -->\n');
      const stale = stalePages(root);
      expect(stale).toEqual([
        'docs/known-defects.md: the generated:known-defects block is stale; run "npm run docs"',
        'docs/configuration.md: missing (it must hold the generated:flags block)',
        'docs/architecture.md: missing (it must hold the generated:tree block)',
        'docs/openai-conformance.md: missing (it must hold the generated:openai-deviations block)',
      ]);
      writeFileSync(path.join(root, 'docs/configuration.md'), '# C\nno markers\n');
      expect(stalePages(root)[1]).toBe('docs/configuration.md: no "<!-- generated:flags -->" … "<!-- /generated:flags -->" block');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('replaceBlock keeps the text around the block and is stable', () => {
    const once = replaceBlock('a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb\n', 'x', 'new');
    expect(once).toMatch(/^a\n<!-- generated:x -->\n.*\nnew\n<!-- \/generated:x -->\nb\n$/s);
    expect(replaceBlock(once, 'x', 'new')).toBe(once);
  });
});

describe('link checking', () => {
  test('anchors follow GitHub: lowercase, punctuation dropped, repeats numbered, code fences ignored', () => {
    const a = anchorsOf('# Known FakeAI 0.3.2 defects\n## Why `/metrics/by-model` runs alone\n## Setup\n## Setup\n```\n# not a heading\n```\n');
    expect([...a]).toEqual(['known-fakeai-032-defects', 'why-metricsby-model-runs-alone', 'setup', 'setup-1']);
  });

  test('a missing file and a missing anchor are broken; external links and code are not checked', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'links-'));
    try {
      writeFileSync(path.join(root, 'a.md'), '# Here\n');
      const md = '[ok](a.md#here) [gone](b.md) [bad](a.md#there) [web](https://example.com/x) `[code](nope.md)`\n```\n[fenced](nope.md)\n```\n[self](#top) [lost](#nowhere)\n# Top\n';
      expect(brokenLinks('index.md', md, root)).toEqual(['index.md: b.md — no such file', 'index.md: a.md#there — no heading with anchor #there in a.md', 'index.md: #nowhere — no heading with anchor #nowhere in this page']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the generated tree of helpers/', () => {
  test("takes each module's first header sentence, from JSDoc, // lines or a Python docstring", () => {
    expect(headerSentence('/**\n * Starts and stops one server. The only file\n * that knows.\n */\nexport {}')).toBe('Starts and stops one server.');
    expect(headerSentence('// Jest transformer: TS → JS. Why not ts-jest.\nmodule.exports = {}')).toBe('Jest transformer: TS → JS.');
    expect(headerSentence('"""Parent-death watchdog: runs one server.\n\nUsage: …"""\nimport os')).toBe('Parent-death watchdog: runs one server.');
  });

  test('a module without a header comment is found (every library module must say what it is for)', () => {
    expect(headerSentence("import x from 'y';\nexport const a = 1;")).toBe('');
    const silent = libraryModules(PROJECT_ROOT).filter((m) => m.about === '');
    expect(silent).toEqual([]);
  });
});
