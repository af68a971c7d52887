import { parseJunit, XmlError } from '../reporting/junit-check';

const GOOD = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fakeai-e2e" tests="3" failures="1" errors="0" time="1.2">
  <testsuite name="health" tests="3">
    <testcase classname="health › a" name="a" time="0.1"></testcase>
    <testcase classname="health › b" name="b" time="0.1"><failure message="boom"><![CDATA[Error: <b> & co]]></failure></testcase>
    <testcase classname="health › c" name="c" time="0"><skipped/></testcase>
  </testsuite>
</testsuites>`;

describe('junit.xml reader', () => {
  it('counts test cases, failures and skips', () => {
    expect(parseJunit(GOOD)).toEqual({ declaredTests: 3, testcases: 3, failures: 1, skipped: 1 });
  });

  it.each([
    ['a mismatched closing tag', GOOD.replace('</testsuite>', '</testcase>')],
    ['an unclosed element', GOOD.replace('</testsuites>', '')],
    ['a stray "<"', GOOD.replace('name="a"', 'name="a" <')],
    ['two root elements', `${GOOD}<testsuites/>`],
    ['no root element', '<?xml version="1.0"?>'],
    ['text outside the root', `${GOOD} trailing`],
  ])('rejects %s', (_what, xml) => {
    expect(() => parseJunit(xml)).toThrow(XmlError);
  });
});
