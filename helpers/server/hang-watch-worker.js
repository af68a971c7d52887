/**
 * The hang watch's worker thread (started by helpers/server/hang-watch.ts). Plain CommonJS with no
 * imports of ours: a worker loads its file with Node's own loader, outside Jest's transform.
 *
 * A thread of its own, not timers on the main thread: with Jest running the tests in band on the
 * main thread, a test busy in synchronous work would delay the probes' replies and look like a
 * hung server. Here a probe's clock is only this thread's.
 *
 * Per server, one GET /health at a time on a fresh connection (agent: false: a stuck keep-alive
 * socket must not stand in for the server). Any HTTP answer is life. After 1 s without one the
 * server is "silent" (a file the test environment reads); after hangAfterMs it is hung: SIGUSR1
 * (faulthandler, registered by stack-dump/sitecustomize.py) dumps every thread's stack into its
 * log, the dump and the facts go to the hang marker, and the server is killed, which ends the
 * request the current test is stuck in.
 */
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const http = require('node:http');

const { targets, hangAfterMs, probeEveryMs, silentAfterMs, dumpWaitMs } = workerData;
let stopped = false;
const pending = new Set();

parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopped = true;
    for (const cancel of pending) cancel();
  }
});

function pause(ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      pending.delete(cancel);
      resolve();
    }, ms);
    const cancel = () => {
      clearTimeout(t);
      resolve();
    };
    pending.add(cancel);
  });
}

/** Resolves true on any HTTP answer, false on an error or when `limitMs` passes. */
function probe(baseUrl, limitMs, onSilent) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      clearTimeout(silent);
      pending.delete(cancel);
      req.destroy();
      resolve(ok);
    };
    const cancel = () => finish(false);
    pending.add(cancel);
    const req = http.get(`${baseUrl}/health`, { agent: false }, (res) => {
      res.resume();
      finish(true);
    });
    req.on('error', () => finish(false));
    const limit = setTimeout(() => finish(false), Math.max(1, limitMs));
    const silent = setTimeout(onSilent, Math.min(silentAfterMs, Math.max(1, limitMs)));
  });
}

function size(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Whether `pid` has a handler for SIGUSR1 (bit 9 of SigCgt); undefined where /proc cannot say. */
function catchesSigusr1(pid) {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (!m) return undefined;
    return (BigInt(`0x${m[1]}`) & (1n << 9n)) !== 0n;
  } catch {
    return undefined;
  }
}

/** The faulthandler block in `text`: from the first thread header through the frame lines after it. */
function dumpIn(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^(Current thread|Thread) 0x[0-9a-f]+ \(most recent call first\):/.test(l));
  if (start === -1) return null;
  const out = [];
  for (const l of lines.slice(start)) {
    if (/^(Current thread|Thread) 0x[0-9a-f]+ /.test(l) || /^ {2}(File "|<no Python frame>|\.\.\.)/.test(l) || l === '') out.push(l);
    else break;
  }
  return out.join('\n').trimEnd();
}

async function takeDump(t) {
  const caught = catchesSigusr1(t.pid);
  if (caught === false) {
    return { stackDump: null, dumpProblem: 'the server has no SIGUSR1 handler (faulthandler not registered: was it started through helpers/server/watchdog.py?)' };
  }
  const before = size(t.logFile);
  try {
    process.kill(t.pid, 'SIGUSR1');
  } catch (e) {
    return { stackDump: null, dumpProblem: `SIGUSR1 to pid ${t.pid} failed: ${e.message}` };
  }
  // faulthandler writes the whole dump from its signal handler in one go: once the log grew and
  // then kept still for a moment, the dump is complete.
  const deadline = Date.now() + dumpWaitMs;
  let last = before;
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    await pause(25);
    const now = size(t.logFile);
    if (now !== last) {
      last = now;
      stillSince = Date.now();
    } else if (now > before && Date.now() - stillSince >= 150) break;
  }
  let text = '';
  try {
    const fd = fs.openSync(t.logFile, 'r');
    const buf = Buffer.alloc(Math.max(0, last - before));
    fs.readSync(fd, buf, 0, buf.length, before);
    fs.closeSync(fd);
    text = buf.toString('utf8');
  } catch {
    // the log vanished: reported below as no dump
  }
  const stackDump = dumpIn(text);
  return stackDump ? { stackDump, dumpProblem: null } : { stackDump: null, dumpProblem: `no stack dump reached ${t.logFile} within ${dumpWaitMs} ms of SIGUSR1` };
}

async function diagnose(t, silentMs) {
  const dump = await takeDump(t);
  const marker = { at: new Date().toISOString(), silentMs, hangAfterMs, pid: t.pid, ...dump };
  fs.writeFileSync(t.hangMarkerFile, JSON.stringify(marker));
  fs.appendFileSync(t.logFile, `\n[fakeai-e2e] server ${t.name} did not answer GET /health for ${(silentMs / 1000).toFixed(1)} s: hung; stopping it\n`);
  try {
    process.kill(t.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  fs.rmSync(t.silentFile, { force: true });
  parentPort.postMessage({ hung: t.name });
}

/** Probe figures per server, kept beside the markers: what the threshold is judged against. */
function writeStats(t, stats) {
  try {
    fs.writeFileSync(t.hangMarkerFile.replace(/\.hang\.json$/, '.probes.json'), JSON.stringify(stats));
  } catch {
    // the run dir is gone: nothing to keep them for
  }
}

async function watch(t) {
  let lastAnswer = Date.now();
  let silentWritten = false;
  const stats = { probes: 0, answered: 0, maxAnswerMs: 0, longestSilenceMs: 0 };
  const markSilent = () => {
    if (silentWritten || stopped) return;
    silentWritten = true;
    fs.writeFileSync(t.silentFile, JSON.stringify({ since: new Date(lastAnswer).toISOString(), hangAfterMs }));
  };
  while (!stopped) {
    if (fs.existsSync(t.exitMarkerFile)) break; // a death, not a hang: the exit marker tells it
    const sent = Date.now();
    const answered = await probe(t.baseUrl, lastAnswer + hangAfterMs - Date.now(), markSilent);
    if (stopped) break;
    stats.probes += 1;
    if (answered) {
      stats.answered += 1;
      stats.maxAnswerMs = Math.max(stats.maxAnswerMs, Date.now() - sent);
      stats.longestSilenceMs = Math.max(stats.longestSilenceMs, Date.now() - lastAnswer);
      lastAnswer = Date.now();
      if (silentWritten) {
        silentWritten = false;
        fs.rmSync(t.silentFile, { force: true });
      }
    } else if (Date.now() - lastAnswer >= hangAfterMs) {
      if (fs.existsSync(t.exitMarkerFile)) break;
      stats.longestSilenceMs = Math.max(stats.longestSilenceMs, Date.now() - lastAnswer);
      writeStats(t, stats);
      await diagnose(t, Date.now() - lastAnswer);
      return;
    } else if (Date.now() - lastAnswer >= silentAfterMs) {
      markSilent();
    }
    await pause(probeEveryMs);
  }
  writeStats(t, stats);
  fs.rmSync(t.silentFile, { force: true });
}

// Closing the port lets the thread end by itself: its 'message' listener would otherwise keep it
// alive until the main thread's 1 s terminate() fallback, a second of every run's teardown.
Promise.all(targets.map(watch))
  .then(
    () => parentPort.postMessage({ done: true }),
    (e) => parentPort.postMessage({ error: String(e && e.stack ? e.stack : e) }),
  )
  .finally(() => parentPort.close());
