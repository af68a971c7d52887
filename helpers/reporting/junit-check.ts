/**
 * Reads back the junit.xml jest-junit wrote and counts its test cases, so the CLI can say so when
 * the file CI consumes disagrees with what Jest ran. A small, strict reader for the XML subset
 * jest-junit emits (elements, attributes, text, CDATA, comments, the XML declaration): unbalanced
 * or unknown markup throws rather than being counted loosely.
 */

export interface JunitCounts {
  /** The <testsuites tests="N"> attribute. */
  declaredTests: number | null;
  testcases: number;
  failures: number;
  skipped: number;
}

const TOKEN = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\/([A-Za-z_][\w.-]*)\s*>|<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<|[^<]+/g;
const ATTR = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export class XmlError extends Error {}

export function parseJunit(xml: string): JunitCounts {
  const stack: string[] = [];
  let declaredTests: number | null = null;
  let testcases = 0;
  let failures = 0;
  let skipped = 0;
  let sawRoot = false;
  for (const m of xml.matchAll(TOKEN)) {
    const [tok, close, open, attrs, selfClose] = m;
    if (tok === '<') throw new XmlError(`malformed markup at offset ${m.index}`);
    if (close) {
      const top = stack.pop();
      if (top !== close) throw new XmlError(`</${close}> closes <${top ?? 'nothing'}> at offset ${m.index}`);
      continue;
    }
    if (open) {
      if (stack.length === 0) {
        if (sawRoot) throw new XmlError('more than one root element');
        sawRoot = true;
      }
      const a = Object.fromEntries([...(attrs ?? '').matchAll(ATTR)].map((x) => [x[1], x[2] ?? x[3]]));
      if (open === 'testsuites' && a.tests !== undefined) declaredTests = Number(a.tests);
      if (open === 'testcase') testcases += 1;
      if (open === 'failure' || open === 'error') failures += stack.at(-1) === 'testcase' ? 1 : 0;
      if (open === 'skipped') skipped += 1;
      if (!selfClose) stack.push(open);
      continue;
    }
    if (stack.length === 0 && tok.trim() !== '' && !tok.startsWith('<')) throw new XmlError('text outside the root element');
  }
  if (stack.length > 0) throw new XmlError(`unclosed <${stack.join('> <')}>`);
  if (!sawRoot) throw new XmlError('no root element');
  return { declaredTests, testcases, failures, skipped };
}
