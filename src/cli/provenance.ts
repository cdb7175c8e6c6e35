// Where a gate ran, for results.json: the commit of the git work tree it ran in, when there is one
// (a CI log and a report can then be matched to the code they judged). Never decides a verdict.
import { spawnSync } from 'node:child_process';

const GIT_TIMEOUT_MS = 5_000;

/** The commit checked out in `dir` (full hash), or undefined outside a git work tree or without git. */
export function gitCommit(dir: string): string | undefined {
  const git = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: GIT_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const commit = git.status === 0 ? git.stdout.trim() : '';
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : undefined;
}
