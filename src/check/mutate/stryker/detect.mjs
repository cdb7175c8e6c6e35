// The command StrykerJS runs for every implementation mutant (its command test runner): ftcheck's
// own detector, `ftcheck fuzz --runs N --seed S`, on the mutated sandbox. Stryker only knows
// "exit 0 = survived, anything else = killed", so this wrapper keeps ftcheck's exit codes apart:
// exit 1 (a violation: the mutant is killed) prints the finding, anything else (2 usage, 3 internal
// error, a signal) is a crash of ftcheck and prints a FTCHECK-CRASH line that `ftcheck mutate`
// finds in Stryker's report and counts separately — never as a kill.
// Usage: node src/check/mutate/stryker/detect.mjs [--runs N] [--seed S]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'FTCHECK-DETECT';
const CRASH = 'FTCHECK-CRASH';

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? fallback : process.argv[i + 1];
  if (!/^\d+$/.test(String(value))) {
    process.stdout.write(`${CRASH} ${name} must be a non-negative integer, got '${value}'\n`);
    process.exit(2);
  }
  return String(value);
}

const runs = flag('--runs', '20');
const seed = flag('--seed', '1');
const out = mkdtempSync(join(tmpdir(), 'ftcheck-mutant-'));
const args = ['src/cli/ftcheck.js', 'fuzz', '--runs', runs, '--seed', seed, '--shrink-budget', '0', '--json'];
const child = spawnSync(process.execPath, [...args, '--out', out], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
rmSync(out, { recursive: true, force: true });

const tail = (text) => (text ?? '').trim().split('\n').slice(-12).join('\n');
if (child.status === 0) {
  process.stdout.write(`${MARK} survived runs=${runs} seed=${seed}\n`);
  process.exit(0);
}
// Exit 1 with the campaign's JSON is a finding; exit 1 without it is Node dying on an uncaught
// error (a module that failed to load), which is not a verdict of the detector.
const finding = child.status === 1 ? parseFinding(child.stdout) : null;
if (finding !== null) {
  const line = { invariant: finding.invariant, message: finding.message ?? '', runs, seed };
  process.stdout.write(`${MARK} killed ${JSON.stringify(line)}\n`);
  process.exit(1);
}

function parseFinding(stdout) {
  try {
    const json = JSON.parse((stdout ?? '').trim().split('\n').at(-1) ?? '');
    return typeof json.invariant === 'string' ? json : null;
  } catch {
    return null;
  }
}
const how = child.status === null ? `signal ${child.signal ?? child.error?.message}` : `exit ${child.status}`;
process.stdout.write(`${CRASH} ftcheck fuzz ended with ${how}\n${tail(child.stderr)}\n`);
process.exit(3);
