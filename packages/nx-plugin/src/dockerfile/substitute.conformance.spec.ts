/*
 * Conformance with BuildKit's own expansion tests: the inputs and expected results of
 * moby/buildkit frontend/dockerfile/shell (its envVarTest data, taken over from moby's
 * builder/dockerfile/shell, and the cases of lex_test.go's TestProcessWithMatches,
 * TestShellParserMandatoryEnvVars and TestProcessWithMatchesPlatform), written here as
 * facts in this project's own tables. Not carried over: the Windows-only rows (W), and
 * wordsTest, which splits a line into words (substitute expands one word, as FROM takes).
 *
 * One difference is by design (see substitute.ts): where BuildKit expands a variable that
 * has no value to "", substitute reports it in `unset` and gives no value. `expand` below
 * checks that, then expands again with those variables set to "" to compare with BuildKit.
 */
import { describe, expect, it } from 'vitest';
import { substitute, type VariableValue } from './substitute';

type Environment = Record<string, string>;

/** BuildKit's answer for a word: the expanded text, or 'error'. */
function expand(word: string, environment: Environment): string {
  const first = substitute(word, (name): VariableValue => environment[name]);
  if (first.error !== undefined) return 'error';
  if (first.value !== undefined) return first.value;
  expect(first.unknown).toEqual([]);
  expect(first.unset.length).toBeGreaterThan(0);
  const empties = Object.fromEntries(first.unset.map((name) => [name, '']));
  const second = substitute(word, (name): VariableValue => ({ ...empties, ...environment })[name]);
  return second.error !== undefined ? 'error' : (second.value ?? 'no value');
}

/** envVarTest's environment. */
const SHELL_ENVIRONMENT: Environment = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };

/** envVarTest rows (all platforms, and Unix): word → expansion, or 'error'. */
const ENV_VAR_TEST: [string, string][] = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he'llo", 'error'],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", 'error'],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ['"hello', 'error'],
  ['"hello\\"', 'error'],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", 'error'],
  ["'hello\\'", 'hello\\'],
  ["'hello\\there'", 'hello\\there'],
  ["'hello\\\\there'", 'hello\\\\there'],
  ['"\'\'"', "''"],
  ['$.', '$.'],
  ['$1', ''],
  ['he$1x', 'hex'],
  ['he$.x', 'he$.x'],
  ['he$pwd.', 'he.'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['he\\\\$PWD', 'he\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['\\${}aaa', '${}aaa'],
  ['he\\${}', 'he${}'],
  ['he\\${}xx', 'he${}xx'],
  ['${}', 'error'],
  ['${}aaa', 'error'],
  ['he${}', 'error'],
  ['he${}xx', 'error'],
  ['he${hi}', 'he'],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${.}', 'error'],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-$PWD}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${XXX:YYY}', 'error'],
  ['he${XXX:+${PWD}}xx', 'hexx'],
  ['he${PWD:+${XXX}}xx', 'hexx'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['he${XXX:+000}xx', 'hexx'],
  ['he${PWD:+000}xx', 'he000xx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he${PWD}"', 'he/home'],
  ['"he\'$PWD\'"', "he'/home'"],
  ['"$PWD"', '/home'],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['\'"hello"\'', '"hello"'],
  ["'he\\$PWD'", 'he\\$PWD'],
  ['he${PWD', 'error'],
  ['he${PWD:=000}xx', 'error'],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['안녕하세요', '안녕하세요'],
  ["안'녕'하세요", '안녕하세요'],
  ["안'녕하세요", 'error'],
  ["안녕\\'하세요", "안녕'하세요"],
  ["안\\\\'녕하세요", 'error'],
  ['안녕\\t하세요', '안녕t하세요'],
  ['"안녕\\t하세요"', '안녕\\t하세요'],
  ["'안녕\\t하세요", 'error'],
  ['안녕하세요\\\\', '안녕하세요\\'],
  ['"안녕\'하세요"', "안녕'하세요"],
  ['안녕$1x', '안녕x'],
  ['안녕$.x', '안녕$.x'],
  ['안녕\\\\$PWD', '안녕\\/home'],
  ['안녕${.}', 'error'],
  ['$KOREAN', '한국어'],
  ['안녕$KOREAN', '안녕한국어'],
  ['${{aaa}', 'error'],
  ['${aaa}}', '}'],
  ['${aaa', 'error'],
  ['${{aaa:-bbb}', 'error'],
  ['${aaa:-bbb}}', 'bbb}'],
  ['${aaa:-bbb', 'error'],
  ['${aaa:-bbb}', 'bbb'],
  ['${aaa:-${bbb:-ccc}}', 'ccc'],
  ['${aaa:-bbb ${foo}', 'error'],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['${:}', 'error'],
  ['${:-bbb}', 'error'],
  ['${:+bbb}', 'error'],
];

/** TestProcessWithMatches: word, environment → expansion, or 'error'. */
const PROCESS_WITH_MATCHES: [string, Environment, string][] = [
  ['x', { DUMMY: 'dummy' }, 'x'],
  ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x '],
  ['x ${FOO}', { FOO: 'y' }, 'x y'],
  ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc'],
  ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc'],
  ['${FOO:-}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${FOO:-}', {}, ''],
  ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb '],
  ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  '],
  ['${FOO?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${BAR?bbb}', { FOO: 'xxx', BAR: '' }, ''],
  ['${BAZ?ccc}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${FOO:?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${BAR:?bbb}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${BAZ:?ccc}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${BAZ:?}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${FOO=aaa}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${FOO=:aaa}', { FOO: 'xxx', BAR: '' }, 'error'],
  ['${FOO=}', {}, 'error'],
  ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
  ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
  ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
  ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
  ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
  ['${FOO##}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
  ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
  ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
  ['${FOO%}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
  ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
  ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
  ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt'],
  ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de'],
  ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
  // BuildKit calls these partial inputs "not guaranteed behaviour"; it checks them all the same.
  ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
  ['${FOO//ww}', { FOO: 'xxyy' }, 'error'],
  ['${FOO//}', { FOO: 'xxyy' }, 'error'],
  ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO///}', {}, ''],
];

describe('substitute conforms to BuildKit', () => {
  it.each(ENV_VAR_TEST)('envVarTest: %s → %s', (word, expected) => {
    expect(expand(word, SHELL_ENVIRONMENT)).toBe(expected);
  });

  it.each(PROCESS_WITH_MATCHES)('TestProcessWithMatches: %s with %j → %s', (word, environment, expected) => {
    expect(expand(word, environment)).toBe(expected);
  });

  it('TestShellParserMandatoryEnvVars: ${VAR?…} and ${VAR:?…} fail with their expanded message', () => {
    const message = (word: string, environment: Environment) => substitute(word, (name) => environment[name]).error;
    expect(expand('${VAR:?message here$ARG}', { VAR: 'plain', ARG: 'x' })).toBe('plain');
    expect(message('${VAR:?message here$ARG}', { VAR: '', ARG: 'x' })).toContain('message herex');
    expect(message('${VAR:?message here$ARG}', { ARG: 'x' })).toContain('message herex');
    expect(expand('${VAR?message here$ARG}', { VAR: 'plain', ARG: 'x' })).toBe('plain');
    expect(expand('${VAR?message here$ARG}', { VAR: '', ARG: 'x' })).toBe('');
    expect(message('${VAR?message here$ARG}', { ARG: 'x' })).toContain('message herex');
  });

  it('TestProcessWithMatchesPlatform: a release file name with an optional variant', () => {
    const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    const platform = { VERSION: 'v1.2.3', TARGETOS: 'linux' };
    expect(expand(release, { ...platform, TARGETARCH: 'arm', TARGETVARIANT: 'v7' })).toBe('something-v1.2.3.linux-arm-v7.tar.gz');
    expect(expand(release, { ...platform, TARGETARCH: 'arm64', TARGETVARIANT: '' })).toBe('something-v1.2.3.linux-arm64.tar.gz');
    expect(expand(release, { ...platform, TARGETARCH: 'arm64' })).toBe('something-v1.2.3.linux-arm64.tar.gz');
  });
});
