/**
 * Pure recogniser of server-side exceptions in a FakeAI log: text in, findings out. No I/O, so the
 * per-test scan, the teardown scan and the unit tests all run exactly the same code.
 *
 * What counts (formats read from FakeAI 0.3.2, uvicorn and CPython 3.11, fixtures in
 * helpers/__fixtures__/attribution/logs/):
 * - Python tracebacks, chained ones ("The above exception…", "During handling…") and exception
 *   groups as ONE finding each;
 * - uvicorn's `ERROR:    Exception in ASGI application` (an exception inside a stream, after the 200);
 * - `Exception in thread …` (a background thread died);
 * - log records at ERROR/CRITICAL in FakeAI's format (`<asctime> - <logger> - ERROR - …`) and in
 *   uvicorn's (`ERROR:    …`), with the traceback `logger.exception` appends to them.
 * Only line STARTS decide: the word "error" inside a line (`Errors/sec`, `error_rate`, JSON bodies,
 * INFO records) never does.
 *
 * Offsets are BYTE offsets (the log is read by byte ranges), so lines are split on the raw bytes and
 * decoded one by one: a multi-byte character never shifts a later offset.
 */
import type { AllowedException } from '../ledger/allowances';

export type FindingKind = 'traceback' | 'asgi-exception' | 'thread-exception' | 'error-record' | 'critical-record';

export interface Finding {
  kind: FindingKind;
  /** One line saying what happened, e.g. "KeyError: 'rate'". */
  headline: string;
  /** The whole record or traceback, continuation lines included. */
  text: string;
  /** Byte offset of the first line (absolute: baseOffset + position in the text). */
  startOffset: number;
  /** Byte offset just past the last line. */
  endOffset: number;
  /** Set when the log ended inside the traceback (only reported when the log is final). */
  incomplete?: boolean;
}

export interface ScanOptions {
  /** Absolute offset of the text's first byte in the log file. Default 0. */
  baseOffset?: number;
  /**
   * The log will not grow any more (server stopped). Then a traceback cut at the end is reported
   * as incomplete; otherwise it is left for the next read.
   */
  final?: boolean;
}

export interface ScanResult {
  findings: Finding[];
  /** Absolute offset up to which the text was fully understood: the next read starts here. */
  resumeOffset: number;
}

interface Line {
  text: string;
  start: number;
  end: number;
}

const HEADLINE_MAX = 300;

const TRACEBACK = /^Traceback \(most recent call last\):\s*$/;
const GROUP = /^\s+\+ Exception Group Traceback \(most recent call last\):\s*$/;
const THREAD = /^Exception in thread (.+?):?\s*$/;
const IGNORED = /^Exception ignored in: /;
const CHAIN = /^(The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:)\s*$/;
// logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s") in fakeai/app.py.
const PY_RECORD = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{3})? - (\S+) - ([A-Z]+) - (.*)$/;
// uvicorn's default formatter: "%(levelprefix)s %(message)s", level padded to 9 columns.
const UVICORN_RECORD = /^(TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+(.*)$/;
const ANY_TIMESTAMPED = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;
// Lines the harness itself appends (fakeai-server.ts) and FakeAI's stdout banner rule.
const HARNESS_LINE = /^\[fakeai-e2e\]/;
const BANNER_RULE = /^={10,}\s*$/;
const GROUP_CLOSE = /^\s*\+-+\s*$/;

const isBlank = (s: string) => s.trim() === '';
const isIndented = (s: string) => /^\s/.test(s) && !isBlank(s);

/** A line that begins something new, so it cannot continue the record or message before it. */
function isRecordStart(s: string): boolean {
  return (
    ANY_TIMESTAMPED.test(s) ||
    UVICORN_RECORD.test(s) ||
    TRACEBACK.test(s) ||
    GROUP.test(s) ||
    THREAD.test(s) ||
    IGNORED.test(s) ||
    HARNESS_LINE.test(s) ||
    BANNER_RULE.test(s)
  );
}

function splitLines(buf: Buffer, base: number): { lines: Line[]; partial: Line | undefined } {
  const lines: Line[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) {
      return { lines, partial: { text: buf.subarray(pos).toString('utf8').replace(/\r$/, ''), start: base + pos, end: base + buf.length } };
    }
    lines.push({ text: buf.subarray(pos, nl).toString('utf8').replace(/\r$/, ''), start: base + pos, end: base + nl + 1 });
    pos = nl + 1;
  }
  return { lines, partial: undefined };
}

function clip(s: string): string {
  const one = s.trim();
  return one.length > HEADLINE_MAX ? `${one.slice(0, HEADLINE_MAX - 1)}…` : one;
}

/** Result of parsing one construct starting at a line index. */
type Parsed = { next: number; exceptionLine: string | undefined; cut: boolean; extra: Finding[] };

class Scanner {
  constructor(private readonly lines: Line[]) {}

  private at(i: number): string | undefined {
    return this.lines[i]?.text;
  }

  /**
   * A traceback (or exception group) starting at header line i, with every chained traceback after
   * it. Returns the index after it and its last exception line; `cut` when the text ran out first.
   */
  traceback(i: number): Parsed {
    const extra: Finding[] = [];
    let exceptionLine: string | undefined;
    let idx = i;
    for (;;) {
      const header = this.at(idx) ?? '';
      const part = GROUP.test(header) ? this.groupBody(idx + 1) : this.tracebackBody(idx + 1, extra);
      if (part.cut) return { next: part.next, exceptionLine: part.exceptionLine ?? exceptionLine, cut: true, extra };
      exceptionLine = part.exceptionLine ?? exceptionLine;
      // A chain: blank, marker, blank, next traceback.
      let j = part.next;
      while (j < this.lines.length && isBlank(this.at(j)!)) j++;
      if (j >= this.lines.length || !CHAIN.test(this.at(j)!)) return { next: part.next, exceptionLine, cut: false, extra };
      let k = j + 1;
      while (k < this.lines.length && isBlank(this.at(k)!)) k++;
      if (k >= this.lines.length) return { next: k, exceptionLine, cut: true, extra };
      const nextHeader = this.at(k)!;
      if (!TRACEBACK.test(nextHeader) && !GROUP.test(nextHeader)) return { next: j + 1, exceptionLine, cut: false, extra };
      idx = k;
    }
  }

  /** Frames (indented), then the exception line and its message's continuation lines. */
  private tracebackBody(i: number, extra: Finding[]): Parsed {
    let j = i;
    for (;;) {
      const s = this.at(j);
      if (s === undefined) return { next: j, exceptionLine: undefined, cut: true, extra };
      if (isIndented(s)) { j++; continue; }
      if (isBlank(s) && isIndented(this.at(j + 1) ?? '')) { j++; continue; }
      // Another thread's log line landed between our frames (tracebacks of threads are written
      // line by line): step over it, and still report it if it is an error record itself.
      if ((ANY_TIMESTAMPED.test(s) || UVICORN_RECORD.test(s)) && isIndented(this.at(j + 1) ?? '')) {
        const rec = this.recordHeader(j);
        if (rec) extra.push(this.finding(rec.kind, rec.headline, j, j + 1, false));
        j++;
        continue;
      }
      break;
    }
    const exc = this.at(j)!;
    if (isBlank(exc) || isRecordStart(exc)) return { next: j, exceptionLine: undefined, cut: false, extra };
    // A message can span lines (pydantic's ValidationError does): take them up to a blank line or
    // anything that starts a new record.
    let k = j + 1;
    while (k < this.lines.length && !isBlank(this.at(k)!) && !isRecordStart(this.at(k)!) && !CHAIN.test(this.at(k)!)) k++;
    return { next: k, exceptionLine: exc, cut: false, extra };
  }

  /** "  + Exception Group Traceback" and its `|`-prefixed lines; the group's own line is the headline. */
  private groupBody(i: number): Parsed {
    let j = i;
    let exceptionLine: string | undefined;
    while (j < this.lines.length && isIndented(this.at(j)!)) {
      const m = /^\s*\| ?(.*)$/.exec(this.at(j)!);
      const content = m?.[1];
      if (exceptionLine === undefined && content && /^\S/.test(content) && !TRACEBACK.test(content) && !CHAIN.test(content)) {
        exceptionLine = content;
      }
      j++;
    }
    const cut = j >= this.lines.length && !GROUP_CLOSE.test(this.at(j - 1) ?? '');
    return { next: j, exceptionLine, cut, extra: [] };
  }

  recordHeader(i: number): { kind: FindingKind; headline: string; message: string; asgi: boolean } | undefined {
    const s = this.at(i) ?? '';
    const py = PY_RECORD.exec(s);
    if (py) {
      const [, logger, level, message] = py;
      if (level !== 'ERROR' && level !== 'CRITICAL') return undefined;
      return { kind: level === 'ERROR' ? 'error-record' : 'critical-record', headline: `${logger} ${level}: ${message}`, message, asgi: false };
    }
    const uv = UVICORN_RECORD.exec(s);
    if (uv) {
      const [, level, message] = uv;
      if (level !== 'ERROR' && level !== 'CRITICAL') return undefined;
      if (/^Exception in ASGI application\s*$/.test(message)) return { kind: 'asgi-exception', headline: 'Exception in ASGI application', message, asgi: true };
      return { kind: level === 'ERROR' ? 'error-record' : 'critical-record', headline: `uvicorn ${level}: ${message}`, message, asgi: false };
    }
    return undefined;
  }

  /** An ERROR/CRITICAL record: its continuation lines, and the traceback logger.exception appends. */
  record(i: number, rec: NonNullable<ReturnType<Scanner['recordHeader']>>): Parsed {
    // uvicorn logs some failures as `ERROR:    Traceback (most recent call last):` + frames.
    if (TRACEBACK.test(rec.message)) return this.traceback(i);
    let j = i + 1;
    while (j < this.lines.length) {
      const s = this.at(j)!;
      if (TRACEBACK.test(s) || GROUP.test(s)) return this.traceback(j);
      if (isRecordStart(s)) break;
      j++;
    }
    // ASGI exceptions always come with their traceback: without it yet, the rest is still coming.
    const cut = rec.asgi && j >= this.lines.length;
    return { next: j, exceptionLine: undefined, cut, extra: [] };
  }

  finding(kind: FindingKind, headline: string, from: number, to: number, incomplete: boolean): Finding {
    const span = this.lines.slice(from, to);
    const text = span.map((l) => l.text).join('\n').replace(/\s+$/, '');
    const f: Finding = { kind, headline: clip(headline), text, startOffset: span[0].start, endOffset: span[span.length - 1].end };
    if (incomplete) f.incomplete = true;
    return f;
  }
}

/** "<logger> ERROR: <message>" plus the exception, without repeating a message the record already says. */
function recordHeadline(head: string, exc: string | undefined, asgi: boolean): string {
  if (!exc) return head;
  const e = exc.trim();
  if (asgi) return `${head}: ${e}`;
  const typed = /^([\w.]+): (.+)$/.exec(e);
  if (typed && head.includes(typed[2])) return `${head} [${typed[1]}]`;
  return head.includes(e) ? head : `${head} [${e}]`;
}

/** Scans complete lines; leaves a construct cut at the end for the next read unless `final`. */
export function scanChunk(input: string | Buffer, opts: ScanOptions = {}): ScanResult {
  const base = opts.baseOffset ?? 0;
  const final = opts.final ?? false;
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const { lines, partial } = splitLines(buf, base);
  // A line still being written is only read once it ends, or when nothing more will come.
  if (partial && final) lines.push(partial);
  const sc = new Scanner(lines);
  const findings: Finding[] = [];
  let resumeOffset = lines.length > 0 ? lines[lines.length - 1].end : base;
  if (partial && !final) resumeOffset = partial.start;

  let i = 0;
  while (i < lines.length) {
    const s = lines[i].text;
    let kind: FindingKind;
    let headline: (exc: string | undefined) => string;
    let parsed: Parsed;
    const rec = sc.recordHeader(i);
    if (TRACEBACK.test(s) || GROUP.test(s)) {
      kind = 'traceback';
      parsed = sc.traceback(i);
      headline = (exc) => exc ?? 'Traceback (cut off before its exception line)';
    } else if (THREAD.test(s) || IGNORED.test(s)) {
      kind = THREAD.test(s) ? 'thread-exception' : 'traceback';
      const lead = s.replace(/:\s*$/, '');
      const body = lines[i + 1] && (TRACEBACK.test(lines[i + 1].text) || GROUP.test(lines[i + 1].text));
      parsed = body ? sc.traceback(i + 1) : { next: i + 1, exceptionLine: undefined, cut: i + 1 >= lines.length, extra: [] };
      headline = (exc) => (exc ? `${lead}: ${exc}` : lead);
    } else if (rec) {
      kind = rec.kind;
      parsed = sc.record(i, rec);
      headline = (exc) => recordHeadline(rec.headline, exc, rec.asgi);
    } else {
      i++;
      continue;
    }
    if (parsed.cut && !final) {
      // Not finished yet: report nothing from here on, and let the caller re-read from this line.
      resumeOffset = lines[i].start;
      break;
    }
    const to = Math.max(parsed.next, i + 1);
    findings.push(...parsed.extra, sc.finding(kind, headline(parsed.exceptionLine), i, to, parsed.cut));
    i = to;
  }
  findings.sort((a, b) => a.startOffset - b.startOffset);
  return { findings, resumeOffset };
}

export function scanLog(text: string | Buffer, opts: ScanOptions = {}): Finding[] {
  return scanChunk(text, opts).findings;
}

/** The allowlist entry that covers this finding, if any (matched against its whole text). */
export function allowedBy<A extends Pick<AllowedException, 'pattern'>>(finding: Finding, allowed: readonly A[]): A | undefined {
  // A /g or /y pattern keeps lastIndex between calls; a fresh copy makes matching stateless.
  return allowed.find((a) => new RegExp(a.pattern.source, a.pattern.flags.replace(/[gy]/g, '')).test(finding.text));
}

export function isAllowed<A extends Pick<AllowedException, 'pattern'>>(finding: Finding, allowed: readonly A[]): boolean {
  return allowedBy(finding, allowed) !== undefined;
}

/** A finding as a block for failure messages: what, where, then the full text indented. */
export function formatFinding(f: Finding, where: { server: string; logFile?: string }): string {
  const place = `server "${where.server}"${where.logFile ? `, ${where.logFile}` : ''} bytes ${f.startOffset}-${f.endOffset}`;
  const cut = f.incomplete ? ' (the log ended inside it)' : '';
  return `[${f.kind}] ${f.headline}${cut}\n  (${place})\n${f.text.replace(/^/gm, '  | ')}`;
}
