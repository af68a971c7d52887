/**
 * jest-junit cannot carry run-level facts, so after it wrote junit.xml the runner adds them as
 * <properties> of every <testsuite> (where JUnit consumers read them): which FakeAI build was judged,
 * how it was installed, what the ledger covers of it, and each known defect reported FIXED.
 */
import type { ReportModel } from './report-model';

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;');
}

/** The properties a run's reports carry, in order; FIXED defects as fakeai.fixed.<id>. */
export function runProperties(m: Pick<ReportModel, 'build' | 'ledger' | 'fixed'>): [string, string][] {
  const b = m.build;
  const props: [string, string][] = [];
  if (b) {
    props.push(['fakeai.version', b.version ?? '(no version metadata)'], ['fakeai.source', b.source], ['fakeai.installedBy', b.installedBy]);
    if (b.origin) props.push(['fakeai.origin', b.origin]);
    if (b.commit) props.push(['fakeai.commit', b.commit]);
    if (b.archive) props.push(['fakeai.archive', b.archive]);
  }
  props.push(['fakeai.ledger', m.ledger.note]);
  const seen = new Set<string>();
  for (const f of m.fixed) {
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    props.push([`fakeai.fixed.${f.id}`, `FIXED (was at ${f.evidence}): ${f.seen}`]);
  }
  return props;
}

/** junit.xml with the properties inserted at the top of each <testsuite>; unchanged when it has none. */
export function addJunitProperties(xml: string, props: readonly [string, string][]): string {
  if (props.length === 0) return xml;
  return xml.replace(/(<testsuite\b[^>]*[^/]>)(\s*)/g, (_, open: string, ws: string) => {
    const indent = ws.includes('\n') ? ws.slice(ws.lastIndexOf('\n') + 1) : '    ';
    const lines = props.map(([k, v]) => `${indent}  <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n');
    return `${open}\n${indent}<properties>\n${lines}\n${indent}</properties>${ws}`;
  });
}
