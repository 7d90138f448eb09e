import { escapeControlCharacters } from '../text/excerpt';
import { formatProblem, type Problem } from './problems';

/** Files named on a line that stands for many; the rest are counted. */
const FILES_LISTED = 3;

/**
 * Prints graph problems as warnings, one line per distinct message: the same
 * advice for 600 Dockerfiles (an upstream image none of them locks) is one
 * line naming a few and counting the rest, not 600 lines on every Nx command.
 * Each project's metadata still lists its own. Plain console output on
 * purpose: graph code runs on every Nx command, and loading Nx's devkit
 * exports at run time for its logger costs a plugin worker hundreds of milliseconds.
 */
export function warnProblems(problems: Problem[]): void {
  for (const line of summariseProblems(problems)) warn(line);
}

/** The lines warnProblems prints, in the order each message was first found. */
export function summariseProblems(problems: readonly Problem[]): string[] {
  const byMessage = new Map<string, Problem[]>();
  for (const problem of problems) byMessage.set(problem.message, [...(byMessage.get(problem.message) ?? []), problem]);
  return [...byMessage].map(([message, found]) => {
    if (found.length === 1) return formatProblem(found[0]);
    const places = found.slice(0, FILES_LISTED).map(({ file, line }) => (line ? `${file}:${line}` : file));
    const more = found.length > FILES_LISTED ? ` and ${found.length - FILES_LISTED} more` : '';
    return escapeControlCharacters(`${places.join(', ')}${more}: ${message}`);
  });
}

export function warn(message: string): void {
  console.warn(`[imagewise] ${message}`);
}
