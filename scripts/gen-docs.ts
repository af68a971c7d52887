/**
 * `npm run docs`: rewrites the generated blocks of the docs pages from the code (scripts/lib/docs.ts).
 * `npm run docs -- --check`: changes nothing; exits 1 naming each stale page (the unit tests run
 * the same check, so CI fails on a stale page).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../helpers/core/config';
import { GENERATED, replaceBlock, stalePages } from './lib/docs';

const args = process.argv.slice(2);
if (args.some((a) => a !== '--check')) {
  process.stderr.write('Usage: npm run docs [-- --check]\n');
  process.exit(2);
}
if (args.includes('--check')) {
  const stale = stalePages(PROJECT_ROOT);
  for (const s of stale) process.stderr.write(`${s}\n`);
  process.exit(stale.length > 0 ? 1 : 0);
}
for (const g of GENERATED) {
  const file = path.join(PROJECT_ROOT, g.page);
  const before = readFileSync(file, 'utf8');
  const after = replaceBlock(before, g.name, g.render(PROJECT_ROOT));
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(`${g.page}: ${after === before ? 'up to date' : 'regenerated'} (generated:${g.name})\n`);
}
