// Turning a model path of one agent into a run of the emulator: which host plays the agent, and
// the fault schedule that makes the environment send it the path's events. Events the cluster
// produces by itself (snapshot, engagement, log drain, lock grant, reissue, reset) need no fault;
// silence, storage loss, crashes and repairs become faults. Timing-sensitive steps (a crash in
// the middle of going live, a lost test-and-set) slow the agent's storage so the window is wide.
// `variant` shifts the times, so a conformance check can try a few timings of the same path.
import type { EventObject } from 'xstate';
import type { RunSpec } from '../fuzz/run-spec.ts';
import type { ModelPath } from './agent-model.ts';

export interface PathRun {
  /** The host whose agent walks the path. */
  host: string;
  spec: RunSpec;
}

const FIRST_FAULT_MS = 300;
const STEP_MS = 900;
/** The default heartbeat timeout plus margin: when the survivor's PEER_SILENT has fired. */
const DETECTED_MS = 430;
/** Per direction; a round trip must stay under the storage timeout (100 ms by default). */
const STORAGE_DELAY_MS = 30;
/** Halted instances are cleaned up after 100 ms by default: crash inside that window. */
const WHILE_HALTED_MS = 40;
/**
 * How long the run goes on after the path's last step: past I7's answer bound (about 3.2 s with
 * the storage delay above) and I5's re-protection bound (3 s) counted from the last fault, so the
 * monitors watching the run can see a stall or a pair never re-protected.
 */
const SETTLE_MS = 3_000;

/** The host playing an agent whose path starts with `first`: h1 is powered on, h2 is the first secondary, h3 idles. */
function hostFor(first: EventObject | undefined): string {
  if (first?.type === 'POWER_ON') return 'h1';
  if (first?.type === 'SPAWN_SECONDARY') return 'h2';
  return 'h3';
}

type Fault = Record<string, unknown>;

export function pathRun(path: ModelPath, variant: number): PathRun {
  const host = hostFor(path.events[0]);
  const faults: Fault[] = [];
  const at = (ms: number, fault: Omit<Fault, 'at'>) => faults.push({ at: `${ms}ms`, ...fault });
  let t = FIRST_FAULT_MS + variant * 17;
  let state = 'idle';
  let lastFaultMs = 0;
  path.events.forEach((event, index) => {
    const count = faults.length;
    if (
      event.type === 'CRASH' &&
      index <= 1 &&
      (state === 'primary.alone' || state === 'secondary.syncing')
    ) {
      // Before the first pair engages (about 10 ms into the run).
      at(1 + variant, { kind: 'crash', host });
    } else if (event.type === 'CRASH' && state === 'halted') {
      at(lastFaultMs + WHILE_HALTED_MS, { kind: 'crash', host });
    } else if (event.type === 'PEER_SILENT') {
      t = silence(path, index, state, host, t, variant, at);
    } else if (event.type === 'STORAGE_LOST') {
      at(t, { kind: 'hba-fail', host, path: 'all' });
      t += STEP_MS;
    } else if (event.type === 'CRASH' && !state.startsWith('secondary.goingLive')) {
      at(t, { kind: 'crash', host });
      t += STEP_MS;
    } else if (event.type === 'REPAIR') {
      at(t, { kind: 'repair', host });
      t += STEP_MS;
    }
    if (faults.length > count)
      lastFaultMs = Math.max(...faults.slice(count).map((f) => Number.parseInt(String(f.at), 10)));
    state = path.states[index]!;
  });
  return {
    host,
    spec: {
      seed: variant,
      guest: 'ledger',
      durationUs: (t + SETTLE_MS) * 1000,
      config: { hosts: 3, racks: 1 },
      clientsPerVm: 1,
      requestIntervalUs: 5_000,
      checkDeterminism: false,
      schedule: { version: 1, faults },
    },
  };
}

/** Faults that make the agent's peer go silent, shaped by what the path does next. */
function silence(
  path: ModelPath,
  index: number,
  state: string,
  host: string,
  t: number,
  variant: number,
  at: (ms: number, fault: Omit<Fault, 'at'>) => void,
): number {
  const event = path.events[index]! as EventObject & { logPending?: boolean };
  const next = path.events[index + 1];
  if (state === 'secondary.syncing') {
    // The snapshot transfer (over the logging network) fails.
    at(1 + variant, { kind: 'partition', network: 'logging', between: ['h1', host] });
    return t;
  }
  const peer = state.startsWith('secondary') ? 'primary' : 'secondary';
  const crashedInGoLive = path.events.slice(index + 1).some((e) => e.type === 'CRASH');
  if (next?.type === 'LOCK_DENIED') {
    // Both sides go for the lock; the agent's slow storage makes it lose.
    at(t - 50, { kind: 'delay', network: 'storage', host, ms: STORAGE_DELAY_MS });
    at(t, { kind: 'partition', network: 'logging', between: ['h1', 'h2'] });
    at(t, { kind: 'partition', network: 'heartbeat', between: ['h1', 'h2'] });
    return t + STEP_MS;
  }
  const rest = path.events.slice(index + 1);
  if (crashedInGoLive || rest.some((e) => e.type === 'LOCK_GRANTED')) {
    at(t - 50, { kind: 'delay', network: 'storage', host, ms: STORAGE_DELAY_MS });
  }
  if (rest.some((e) => e.type === 'LOCK_GRANTED' && (e as { pendingIo?: boolean }).pendingIo === true)) {
    // Slow disk writes on the failing primary: some are still in flight when it crashes.
    at(t - 50, { kind: 'delay', network: 'storage', host: peer, ms: STORAGE_DELAY_MS });
  }
  // A secondary slowed 1000× just before the crash still has log to replay when the peer goes
  // silent: lag control stops the primary within a few slices, but what it ran meanwhile takes
  // the slow secondary a while to replay.
  if (event.logPending === true) at(t - 100, { kind: 'slow', host, factor: 1000 });
  at(t, { kind: 'crash', host: peer });
  if (crashedInGoLive) {
    const types = rest.map((e) => e.type);
    const reissuing =
      types.indexOf('LOCK_GRANTED') >= 0 && types.indexOf('LOCK_GRANTED') < types.indexOf('CRASH');
    at(t + DETECTED_MS + (reissuing ? 3 * STORAGE_DELAY_MS : 0) + variant * 20, { kind: 'crash', host });
  }
  return t + STEP_MS;
}
