/**
 * The project's import graph, read from the source text (relative imports only), and the two rules
 * the tree's layout promises (docs/architecture.md): no import cycle between files, and a folder of
 * helpers/ imports only folders below it in LAYERS. Pure apart from listing and reading files, so
 * the unit test can feed it a crafted graph that must fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** helpers/ folders from the bottom up: each may import itself and the folders before it, never after. */
export const LAYERS = ['ledger', 'core', 'server', 'logs', 'api', 'checks', 'chat', 'explore', 'reporting', 'bench', 'jest'] as const;

/** Folders that hold self-tests and their fixtures: they may import any layer. */
const TEST_FOLDERS = new Set(['__tests__', '__fixtures__']);

export type ImportGraph = Map<string, string[]>;

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.js', '/index.ts'];

function listSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) listSources(p, out);
    else if (/\.(ts|js)$/.test(name)) out.push(p);
  }
  return out;
}

function resolveSpec(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this extension
    }
  }
  return undefined;
}

/** Every file under `dirs` (relative to `root`) with the project files it imports, as root-relative paths. */
export function readImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const dir of dirs) {
    for (const file of listSources(path.join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const targets = new Set<string>();
      for (const m of text.matchAll(SPEC)) {
        const target = resolveSpec(file, m[1]);
        if (target) targets.add(path.relative(root, target));
      }
      graph.set(path.relative(root, file), [...targets].sort());
    }
  }
  return graph;
}

/** Each import cycle once, as the files along it (Tarjan's strongly connected components of size > 1, or a self-import). */
export function findCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return cycles;
}

/** The helpers/ folder a path belongs to ("core" for helpers/core/config.ts), or undefined outside helpers/ or at its top. */
export function layerOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  return parts[0] === 'helpers' && parts.length > 2 ? parts[1] : undefined;
}

/**
 * Imports that break the layering, one line each: a lower folder importing a higher one, a folder
 * LAYERS does not know, or a library file directly in helpers/ (the top holds folders only).
 */
export function layerViolations(graph: ImportGraph, layers: readonly string[] = LAYERS): string[] {
  const problems: string[] = [];
  const rank = (l: string) => layers.indexOf(l);
  for (const [file, targets] of graph) {
    if (!file.startsWith('helpers/')) continue;
    const from = layerOf(file);
    if (from === undefined) {
      problems.push(`${file}: a library file directly in helpers/; it belongs in one of the folders (${layers.join(', ')})`);
      continue;
    }
    if (TEST_FOLDERS.has(from)) continue;
    if (rank(from) < 0) {
      problems.push(`${file}: helpers/${from}/ is not a layer in scripts/lib/import-graph.ts LAYERS; add it where it belongs`);
      continue;
    }
    for (const t of targets) {
      const to = layerOf(t);
      if (!t.startsWith('helpers/')) problems.push(`${file} imports ${t}: the library never imports scripts or specs`);
      else if (to !== undefined && !TEST_FOLDERS.has(to) && rank(to) > rank(from)) problems.push(`${file} imports ${t}: helpers/${from}/ sits below helpers/${to}/ and must not import it`);
      else if (to !== undefined && TEST_FOLDERS.has(to)) problems.push(`${file} imports ${t}: library code never imports self-test code`);
    }
  }
  return problems.sort();
}
