// PLACEHOLDER (lead, to be replaced by the CLI work): runs the e2e project in band.
import { spawnSync } from 'node:child_process';
const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'e2e', '--runInBand', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
