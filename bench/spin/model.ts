// The SPIN yardstick's toy model (from the team's shared bench/spin-toy/model.ts, unchanged in
// behaviour; model.pml beside it is its exact Promela port): a 2-host failover protocol with one
// parallel region per host and bounds through `input`. ftcheck's explorer and SPIN must find the
// same states (bench/spin.bench.ts, test/explorer.toy.test.ts).
import { assign, setup } from 'xstate';

export type Host = 'A' | 'B';
export const HOSTS: Host[] = ['A', 'B'];

export interface Ctx {
  lock: Host | null; // shared-storage lock owner
  epoch: number; // fencing epoch, bounded by maxEpoch
  log: number; // shared log length, bounded by maxLog
  applied: { A: number; B: number };
  up: { A: boolean; B: boolean };
  suspect: { A: boolean; B: boolean }; // host X suspects its peer is dead
  outputs: number; // externally visible outputs, bounded by maxOut
  maxLog: number;
  maxOut: number;
  maxEpoch: number;
  bug: boolean;
}
export type Ev =
  | { type: 'CRASH'; host: Host }
  | { type: 'RECOVER'; host: Host }
  | { type: 'PROMOTE'; host: Host }
  | { type: 'STEP_DOWN'; host: Host }
  | { type: 'WRITE'; host: Host }
  | { type: 'CATCHUP'; host: Host }
  | { type: 'EMIT'; host: Host }
  | { type: 'SUSPECT'; host: Host }
  | { type: 'HEAL' }
  | { type: 'LEASE_EXPIRE' };

export const ALL_EVENTS: Ev[] = [
  ...HOSTS.flatMap((host) =>
    (['CRASH', 'RECOVER', 'PROMOTE', 'STEP_DOWN', 'WRITE', 'CATCHUP', 'EMIT', 'SUSPECT'] as const).map(
      (type) => ({ type, host }) as Ev,
    ),
  ),
  { type: 'HEAL' },
  { type: 'LEASE_EXPIRE' },
];

const hostRegion = (h: Host) => ({
  initial: h === 'A' ? 'primary' : 'backup',
  states: {
    down: { on: { RECOVER: { guard: 'isMe', target: 'backup', actions: 'markUp' } } },
    backup: {
      on: {
        CRASH: { guard: 'isMe', target: 'down', actions: 'markDown' },
        CATCHUP: { guard: 'canCatchUp', actions: 'catchUp' },
        PROMOTE: { guard: 'canPromote', target: 'primary', actions: 'takeLock' },
        SUSPECT: { guard: 'isMe', actions: 'suspectPeer' },
      },
    },
    primary: {
      on: {
        CRASH: { guard: 'isMe', target: 'down', actions: 'markDown' },
        WRITE: { guard: 'canWrite', actions: 'write' },
        EMIT: { guard: 'canEmit', actions: 'emitOut' },
        STEP_DOWN: { guard: 'isMe', target: 'backup', actions: 'releaseLock' },
      },
    },
  },
});

const me = (e: Ev) => ('host' in e ? e.host : undefined);

export function makeMachine() {
  return setup({
    types: { context: {} as Ctx, events: {} as Ev, input: {} as Partial<Ctx> },
    guards: {
      isMe: ({ event }, p: { h: Host }) => me(event) === p.h,
      canCatchUp: ({ context, event }, p: { h: Host }) =>
        me(event) === p.h && context.applied[p.h] < context.log,
      canPromote: ({ context: c, event }, p: { h: Host }) =>
        me(event) === p.h &&
        c.applied[p.h] === c.log &&
        c.epoch < c.maxEpoch &&
        (c.lock === null || (c.bug && c.suspect[p.h])),
      canWrite: ({ context: c, event }, p: { h: Host }) =>
        me(event) === p.h && c.log < c.maxLog && (c.bug || c.lock === p.h),
      canEmit: ({ context: c, event }, p: { h: Host }) =>
        me(event) === p.h && c.outputs < c.maxOut && c.outputs < c.applied[p.h],
    },
    actions: {
      markUp: assign(({ context: c }, p: { h: Host }) => ({ up: { ...c.up, [p.h]: true } })),
      markDown: assign(({ context: c }, p: { h: Host }) => ({ up: { ...c.up, [p.h]: false } })),
      catchUp: assign(({ context: c }, p: { h: Host }) => ({
        applied: { ...c.applied, [p.h]: c.applied[p.h] + 1 },
      })),
      takeLock: assign(({ context: c }, p: { h: Host }) => ({
        lock: p.h,
        epoch: c.epoch + 1,
        suspect: { ...c.suspect, [p.h]: false },
      })),
      releaseLock: assign(({ context: c }, p: { h: Host }) => ({ lock: c.lock === p.h ? null : c.lock })),
      write: assign(({ context: c }, p: { h: Host }) => ({
        log: c.log + 1,
        applied: { ...c.applied, [p.h]: c.log + 1 },
      })),
      emitOut: assign(({ context: c }) => ({ outputs: c.outputs + 1 })),
      suspectPeer: assign(({ context: c }, p: { h: Host }) => ({ suspect: { ...c.suspect, [p.h]: true } })),
    },
  }).createMachine({
    id: 'failover',
    type: 'parallel',
    context: ({ input }) => ({
      lock: 'A',
      epoch: 1,
      log: 0,
      applied: { A: 0, B: 0 },
      up: { A: true, B: true },
      suspect: { A: false, B: false },
      outputs: 0,
      maxLog: 4,
      maxOut: 3,
      maxEpoch: 4,
      bug: false,
      ...input,
    }),
    states: {
      hostA: paramRegion('A'),
      hostB: paramRegion('B'),
      storage: {
        on: {
          LEASE_EXPIRE: {
            guard: ({ context: c }) => c.lock !== null && !c.up[c.lock],
            actions: assign({ lock: null }),
          },
          HEAL: { actions: assign({ suspect: { A: false, B: false } }) },
        },
      },
    },
  });
}

// attach params {h} to every guard/action reference in a region
// biome-ignore lint/suspicious/noExplicitAny: the shared model builds the region config untyped
function paramRegion(h: Host): any {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const r: any = hostRegion(h);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  for (const s of Object.values<any>(r.states)) {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    for (const [k, t] of Object.entries<any>(s.on)) {
      s.on[k] = {
        ...t,
        guard: { type: t.guard, params: { h } },
        actions: { type: t.actions, params: { h } },
      };
    }
  }
  return r;
}

export type Snap = ReturnType<ReturnType<typeof makeMachine>['getInitialSnapshot']>;

// biome-ignore lint/suspicious/noExplicitAny: the shared model's invariant takes any snapshot
export function invariant(s: any): string | null {
  const prim = (['hostA', 'hostB'] as const).filter((r) => s.value[r] === 'primary');
  if (prim.length > 1) return 'two primaries';
  if (s.context.outputs > s.context.log) return 'outputs > log';
  return null;
}

/** The toy as an explorer model: bounds L/O/E through input; hosts symmetric when asked. */
export function toyModel(
  maxLog: number,
  maxOut: number,
  maxEpoch: number,
  options: { symmetry?: boolean; bug?: boolean } = {},
) {
  return {
    name: `spin-toy(${maxLog}/${maxOut}/${maxEpoch}${options.bug ? ', bug' : ''})`,
    machine: makeMachine(),
    input: { maxLog, maxOut, maxEpoch, bug: options.bug ?? false },
    events: () => ALL_EVENTS,
    invariants: [
      {
        name: 'singlePrimaryAndOutputsLogged',
        description: 'never two primaries, and no more outputs than log entries',
        holds: (s: { value: unknown; context: unknown }) => invariant(s) === null,
      },
    ],
    stable: () => true,
    ...(options.symmetry
      ? {
          symmetry: {
            ids: HOSTS,
            regions: { A: 'hostA', B: 'hostB' },
            records: ['applied', 'up', 'suspect'],
            values: ['lock'],
          },
        }
      : {}),
  };
}
