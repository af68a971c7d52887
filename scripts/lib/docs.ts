/**
 * The docs pages' lists that mirror code, rendered from the code: the known-defect ledger (with its
 * allowances and route exclusions) and the flag table. A page holds each between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; `npm run docs` rewrites those blocks and
 * the unit tests fail while a page is stale, so the list and the code cannot drift.
 * Also the relative-link check for README.md and docs/: every file and #anchor must exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OPTIONS, type OptionSpec } from '../../helpers/core/config';
import { ALLOWED_EXCEPTIONS, ANYWHERE, type AllowedException } from '../../helpers/ledger/allowances';
import { KNOWN_DEFECTS, type KnownDefect } from '../../helpers/ledger/known-defects';
import { ROUTE_EXCLUSIONS, type RouteExclusion } from '../../helpers/ledger/route-exclusions';
import { LAYERS } from './import-graph';
import { releasesWith } from '../../helpers/ledger/releases';
import { type KnownDeviation, OPENAI_DEVIATIONS } from '../../helpers/ledger/openai-deviations';

/** A table cell: pipes escaped, line breaks folded. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function renderFlags(options: readonly OptionSpec[] = OPTIONS): string {
  const rows = options.map((o) => `| \`${o.arg ? `${o.flag} ${o.arg}` : o.flag}\` | \`${o.env}\` | ${cell(o.default)} | ${cell(o.description)} |`);
  return ['| flag | variable | default | what it does |', '|---|---|---|---|', ...rows, '| `--help`, `-h` | | | every flag, its variable and default |'].join('\n');
}

/** The spec files that name each defect id in quotes (where its tests live), read from e2e/. */
export function specsByDefect(root: string, defects: readonly KnownDefect[] = KNOWN_DEFECTS): Map<string, string[]> {
  const dir = path.join(root, 'e2e');
  const specs = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith('.ts')).sort().map((f) => ({ file: `e2e/${f}`, text: readFileSync(path.join(dir, f), 'utf8') }));
  return new Map(defects.map((d) => [d.id, specs.filter((s) => s.text.includes(`'${d.id}'`)).map((s) => s.file)]));
}

export function renderKnownDefects(
  defects: readonly KnownDefect[] = KNOWN_DEFECTS,
  allowed: readonly AllowedException[] = ALLOWED_EXCEPTIONS,
  exclusions: readonly RouteExclusion[] = ROUTE_EXCLUSIONS,
  specs: ReadonlyMap<string, readonly string[]> = new Map(),
): string {
  const out = [`${defects.length} known defects (helpers/ledger/known-defects.ts; which releases each affects: helpers/ledger/releases.ts).`, '', '| id | evidence | releases | tested in | what is wrong |', '|---|---|---|---|---|'];
  for (const d of defects) {
    const where = (specs.get(d.id) ?? []).map((f) => `[${path.basename(f)}](../${f})`).join(', ') || '—';
    const releases = releasesWith(d).join(', ') || '—';
    out.push(`| \`${d.id}\` | \`${d.evidence}\`${d.evidenceIn ? ` (in ${d.evidenceIn})` : ''} | ${releases} | ${where} | ${cell(d.summary)} |`);
  }
  out.push('', `${allowed.length} allowed server exceptions (helpers/ledger/allowances.ts), each excused only where its defect's tests provoke it:`, '');
  out.push('| pattern | known defect | why | provoked by |', '|---|---|---|---|');
  for (const a of allowed) {
    const places = a.provokedBy.map((p) => (p.file === ANYWHERE ? 'anywhere: a server-thread race no test provokes' : p.tests ? `${p.file} (tests: ${p.tests.map((t) => `"${t}"`).join(', ')})` : `${p.file} (its defect tests)`)).join('; ');
    out.push(`| \`/${cell(a.pattern.source)}/\` | \`${a.defect}\` | ${cell(a.reason)} | ${cell(places)} |`);
  }
  out.push('', `${exclusions.length} served routes the suite does not exercise (helpers/ledger/route-exclusions.ts):`, '');
  out.push('| route | why |', '|---|---|');
  for (const e of exclusions) out.push(`| \`${e.route}\` | ${cell(e.reason)} |`);
  return out.join('\n');
}

/** The ledger of known deviations from OpenAI's document, one row each (helpers/ledger/openai-deviations.ts). */
export function renderOpenAiDeviations(deviations: readonly KnownDeviation[] = OPENAI_DEVIATIONS): string {
  const out = [`${deviations.length} known deviations from OpenAI's API document (helpers/ledger/openai-deviations.ts).`, '', '| id | part | OpenAI route | pointer | rule | example | what a client meets |', '|---|---|---|---|---|---|---|'];
  for (const d of deviations) out.push(`| \`${d.id}\` | ${d.part} | \`${d.route}\` | \`${cell(d.pointer || '(body)')}\` | \`${cell(d.rule)}\` | \`${cell(d.example)}\` | ${cell(d.summary)} |`);
  return out.join('\n');
}

/**
 * The first sentence of a source file's leading comment (JSDoc, // lines or a Python docstring):
 * what the module is for, as its author wrote it. Empty when the file starts with none.
 */
export function headerSentence(source: string): string {
  const lead = /^\s*(?:\/\*\*?([\s\S]*?)\*\/|((?:[ \t]*\/\/[^\n]*\n?)+)|"""([\s\S]*?)""")/.exec(source);
  if (!lead) return '';
  const text = (lead[1] ?? lead[2] ?? lead[3] ?? '')
    .split('\n')
    .map((l) => l.replace(/^\s*(\*|\/\/)\s?/, '').trim())
    .filter((l) => l && !l.startsWith('@'))
    .join(' ');
  const sentence = /^(.*?[.!?])(?:\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > 160 ? `${sentence.slice(0, 157).replace(/\s+\S*$/, '')} …` : sentence;
}

/** Library modules of helpers/, layer by layer from the bottom, each with its header sentence. */
export function libraryModules(root: string, layers: readonly string[] = LAYERS): { folder: string; file: string; about: string }[] {
  const out: { folder: string; file: string; about: string }[] = [];
  for (const folder of layers) {
    const dir = path.join(root, 'helpers', folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => /\.(ts|js|py)$/.test(f)).sort()) {
      out.push({ folder, file, about: headerSentence(readFileSync(path.join(dir, file), 'utf8')) });
    }
  }
  return out;
}

export function renderTree(root: string): string {
  const rows = libraryModules(root).map((m, i, all) => `| ${i === 0 || all[i - 1].folder !== m.folder ? `\`${m.folder}/\`` : ''} | [${m.file}](../helpers/${m.folder}/${m.file}) | ${cell(m.about) || '—'} |`);
  return ["Layer by layer from the bottom; \"what it is\" is the first sentence of each file's own header comment.", '', '| folder | module | what it is |', '|---|---|---|', ...rows].join('\n');
}

/** Every generated block, by name, with the page that must hold it. */
export const GENERATED: readonly { name: string; page: string; render: (root: string) => string }[] = [
  { name: 'known-defects', page: 'docs/known-defects.md', render: (root) => renderKnownDefects(KNOWN_DEFECTS, ALLOWED_EXCEPTIONS, ROUTE_EXCLUSIONS, specsByDefect(root)) },
  { name: 'flags', page: 'docs/configuration.md', render: () => renderFlags() },
  { name: 'tree', page: 'docs/architecture.md', render: (root) => renderTree(root) },
  { name: 'openai-deviations', page: 'docs/openai-conformance.md', render: () => renderOpenAiDeviations() },
];

export class MissingBlockError extends Error {}

/** `text` with block NAME's content replaced; throws when the page lacks the markers. */
export function replaceBlock(text: string, name: string, content: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new MissingBlockError(`no "${open}" … "${close}" block`);
  return `${text.slice(0, a + open.length)}\n<!-- Generated by \`npm run docs\` from the code; edit the code, not this block. -->\n${content}\n${text.slice(b)}`;
}

/** Pages whose generated blocks differ from what the code renders now, with the reason. */
export function stalePages(root: string): string[] {
  const stale: string[] = [];
  for (const g of GENERATED) {
    const file = path.join(root, g.page);
    if (!existsSync(file)) {
      stale.push(`${g.page}: missing (it must hold the generated:${g.name} block)`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    try {
      if (replaceBlock(text, g.name, g.render(root)) !== text) stale.push(`${g.page}: the generated:${g.name} block is stale; run "npm run docs"`);
    } catch (e) {
      if (!(e instanceof MissingBlockError)) throw e;
      stale.push(`${g.page}: ${e.message}`);
    }
  }
  return stale;
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
  return anchors;
}

/** Relative links in one markdown text that do not resolve: "target — why". */
export function brokenLinks(file: string, markdown: string, root: string): string[] {
  const problems: string[] = [];
  const body = markdown.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1.*$/gm, '').replace(/`[^`\n]*`/g, '');
  for (const m of body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [p, anchor] = target.split('#');
    if (!p) {
      if (anchor && !anchorsOf(markdown).has(anchor)) problems.push(`${file}: ${target} — no heading with anchor #${anchor} in this page`);
      continue;
    }
    const resolved = path.resolve(path.dirname(path.join(root, file)), decodeURIComponent(p));
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target} — no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${file}: ${target} — no heading with anchor #${anchor} in ${path.relative(root, resolved)}`);
    }
  }
  return problems;
}

/** README.md and every docs/*.md page. */
export function docPages(root: string): string[] {
  const docs = existsSync(path.join(root, 'docs')) ? readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [];
  return ['README.md', ...docs.sort()];
}
