import { escapeControlCharacters } from '../text/excerpt';

/** Bad input found while building the graph: reported with its place and what to do, never thrown. */
export interface Problem {
  /** Workspace-relative file. */
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole. */
  line: number;
  message: string;
}

/**
 * The problem as one line of text. Control characters are escaped whatever
 * the message quotes: a parser's error (V8's JSON.parse quotes the bytes around
 * the fault) or a path may carry a file's raw bytes.
 */
export function formatProblem(problem: Problem): string {
  return escapeControlCharacters(`${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
}

/** A file's problems beyond this many are counted, not listed: a file of garbage is one thing to fix. */
const PROBLEMS_PER_FILE = 5;
/** Messages are advice, not file contents: no message outgrows this. */
const MESSAGE_LENGTH = 400;

/** The problems to report: at most a few per file, in the order found, none overlong. */
export function limitProblems(problems: readonly Problem[]): Problem[] {
  const counts = new Map<string, number>();
  const shown: Problem[] = [];
  for (const problem of problems) {
    const count = (counts.get(problem.file) ?? 0) + 1;
    counts.set(problem.file, count);
    if (count > PROBLEMS_PER_FILE) continue;
    const { message } = problem;
    shown.push(message.length > MESSAGE_LENGTH ? { ...problem, message: `${message.slice(0, MESSAGE_LENGTH)}…` } : problem);
  }
  for (const [file, count] of counts) {
    if (count > PROBLEMS_PER_FILE) {
      shown.push({ file, line: 0, message: `has ${count - PROBLEMS_PER_FILE} more problems, not shown: fix the ones above first` });
    }
  }
  return shown;
}
