import { parseStatCpuTicks, parseStatusRssKiB, readProc } from '../bench/proc-stats';

describe('reading a process from /proc', () => {
  it('takes VmRSS in KiB from the status file', () => {
    expect(parseStatusRssKiB('Name:\tpython\nVmPeak:\t  300000 kB\nVmRSS:\t   81234 kB\nThreads:\t9\n')).toBe(81234);
  });

  it('fails loudly when there is no VmRSS line instead of reporting 0', () => {
    expect(() => parseStatusRssKiB('Name:\tkthreadd\nState:\tS\n')).toThrow(/VmRSS/);
  });

  it('adds utime and stime, counting fields after the last parenthesis of the command name', () => {
    const stat = '4242 (py (thon) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 9 0 123 456 789';
    expect(parseStatCpuTicks(stat)).toBe(287);
  });

  it('rejects a stat line it cannot parse', () => {
    expect(() => parseStatCpuTicks('garbage')).toThrow(/malformed/);
    expect(() => parseStatCpuTicks('1 (x) S 1 2')).toThrow(/utime/);
  });

  it('reads this very process', () => {
    const s = readProc(process.pid, 0);
    expect(s.rssKiB).toBeGreaterThan(1000);
    expect(s.cpuMs).toBeGreaterThan(0);
  });
});
