/**
 * A process with nothing pending but a hang watch whose only server is already dead (its exit
 * marker written): it stops the watch and prints "stopped <how>". Run as a child by
 * hang-watch.test.ts, because the bug it guards against was the process exiting, code 0, before
 * stop() resolved — something Jest's own busy event loop would hide.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentFileOf, startHangWatch } from '../server/hang-watch';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-hangdead-'));
const exitMarkerFile = path.join(dir, 'a.exit.json');
writeFileSync(exitMarkerFile, JSON.stringify({ code: 7, signal: null }));
const hangMarkerFile = path.join(dir, 'a.hang.json');
const watch = startHangWatch(
  [{ name: 'a', pid: process.pid, baseUrl: 'http://127.0.0.1:9', logFile: path.join(dir, 'a.log'), exitMarkerFile, hangMarkerFile, silentFile: silentFileOf(hangMarkerFile) }],
  { hangAfterMs: 5000 },
);
// The worker sees the marker at once and ends on its own; stop while or after it does.
setTimeout(() => {
  void watch.stop().then((how) => process.stdout.write(`stopped ${how}\n`));
}, Number(process.argv[2] ?? 0));
