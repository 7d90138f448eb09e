import { formatProblem, type Problem } from './problems';

/**
 * Prints graph problems as warnings. Plain console output on purpose: graph
 * code runs on every Nx command, and loading Nx's devkit exports at run time for its
 * logger costs a plugin worker hundreds of milliseconds.
 */
export function warnProblems(problems: Problem[]): void {
  for (const problem of problems) warn(formatProblem(problem));
}

export function warn(message: string): void {
  console.warn(`[imagewise] ${message}`);
}
