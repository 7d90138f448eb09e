/** Bad input found while building the graph: reported with its place and what to do, never thrown. */
export interface Problem {
  /** Workspace-relative file. */
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole. */
  line: number;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`;
}

/** Dockerfile analysis messages start with their line; the Problem carries it instead. */
export function stripLinePrefix(message: string): string {
  return message.replace(/^line \d+: /, '');
}
