/**
 * Follows a growing text file from a byte offset and hands back whole lines only. The reporter uses
 * it for <runDir>/records.ndjson (written by tests, the test environment and globalTeardown) and,
 * with --verbose, for the server log. A line still being written stays buffered until its newline
 * arrives, so a reader never sees half a JSON record.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export class LineTail {
  private offset: number;
  private partial = '';
  private watcher: FSWatcher | undefined;

  constructor(
    readonly file: string,
    startOffset = 0,
  ) {
    this.offset = startOffset;
  }

  /** Complete lines appended since the last call. */
  readNew(): string[] {
    if (!existsSync(this.file)) return [];
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      // The file was replaced or truncated (a new run reusing the directory): start over.
      if (size < this.offset) {
        this.offset = 0;
        this.partial = '';
      }
      if (size === this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.partial + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.filter((l) => l.trim() !== '');
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Calls `onLines` whenever the file grows. Watches the directory, not the file, because the file
   * may not exist yet; inotify delivers the event as soon as the event loop is free, which under
   * --runInBand is whenever a test awaits I/O.
   */
  follow(onLines: (lines: string[]) => void): void {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    if (!existsSync(dir)) return;
    this.watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || name.toString() === base) {
        const lines = this.readNew();
        if (lines.length > 0) onLines(lines);
      }
    });
    this.watcher.on('error', () => this.stop());
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
