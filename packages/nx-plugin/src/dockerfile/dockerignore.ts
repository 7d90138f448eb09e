import { minimatch } from 'minimatch';

/**
 * A build context's files as Nx inputs: `.dockerignore` patterns become
 * exclusion globs under the project root. The translation may include a file
 * Docker ignores (a needless rebuild) but never leaves out one Docker sends
 * (a missed rebuild): where a `!` exception could bring a file back, the
 * exclusions it could override are dropped.
 */
export function contextInputs(
  dockerignore: string | undefined,
  alwaysInputs: string[] = ['Dockerfile', '.dockerignore'],
  root = '{projectRoot}',
): ContextInputs {
  const key = JSON.stringify([root, alwaysInputs, dockerignore ?? '']);
  let translated = inputsByText.get(key);
  if (translated === undefined) {
    translated = translate(dockerignore ?? '', alwaysInputs, root);
    inputsByText.set(key, translated);
  }
  // A copy: Nx may grow a project's input arrays in place when it merges them.
  return { inputs: [...translated.inputs], problems: translated.problems };
}

export interface ContextInputs {
  inputs: string[];
  /** Rules left out of the inputs because no glob can express them (which only adds inputs). */
  problems: Array<{ line: number; message: string }>;
}

/** No path is longer (Linux's PATH_MAX): a longer rule is not a path, and glob libraries refuse it. */
const LONGEST_PATTERN = 4096;

// Most images share one .dockerignore text (or have none): translate each text once.
const inputsByText = new Map<string, ContextInputs>();

function translate(dockerignore: string, alwaysInputs: string[], root: string): ContextInputs {
  const rules = parseDockerignore(dockerignore);
  const translated: ContextInputs = { inputs: [`${root}/**/*`], problems: [] };
  const lastException = rules.map((rule) => rule.exception).lastIndexOf(true);
  rules.forEach((rule, index) => {
    // An exclusion followed by any exception may be partly undone: keep its files.
    if (rule.exception || index < lastException) return;
    if (rule.pattern.length > LONGEST_PATTERN) {
      translated.problems.push({
        line: rule.line,
        message: `a pattern of ${rule.pattern.length} characters is longer than any path (${LONGEST_PATTERN}): it is not applied to the image's inputs; shorten or remove it`,
      });
      return;
    }
    // In Nx an exclusion wins over any inclusion, so one that would drop a file
    // that is always an input (Docker always sends the Dockerfile) is left out.
    if (alwaysInputs.some((file) => excludes(rule.pattern, file))) return;
    translated.inputs.push(`!${root}/${rule.pattern}`, `!${root}/${rule.pattern}/**`);
  });
  return translated;
}

// Patterns repeat across a workspace's .dockerignore files; compiling each once matters at 1,000 images.
const verdicts = new Map<string, boolean>();

function excludes(pattern: string, file: string): boolean {
  const key = `${pattern}\0${file}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = minimatch(file, pattern, { dot: true }) || minimatch(file, `${pattern}/**`, { dot: true });
    verdicts.set(key, verdict);
  }
  return verdict;
}

export interface DockerignoreRule {
  pattern: string;
  exception: boolean;
  /** 1-based. */
  line: number;
}

/** Docker's reading: comments, blank lines, `!` exceptions, paths cleaned and rooted at the context. */
export function parseDockerignore(text: string): DockerignoreRule[] {
  const rules: DockerignoreRule[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    const exception = line.startsWith('!');
    if (exception) line = line.slice(1).trim();
    const pattern = cleanPath(line);
    if (pattern) rules.push({ pattern, exception, line: index + 1 });
  }
  return rules;
}

// Like Go's filepath.Clean on a path relative to the context root.
function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
