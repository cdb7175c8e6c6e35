// Fault schedules: JSON you can write by hand, validated at the door with an error that names the
// field ("faults[2].network: expected one of logging|heartbeat|client|storage").
//
//   { "version": 1, "faults": [ { "at": "250ms", "kind": "crash", "host": "h1" }, … ] }
//
// Hosts are `h1…hN` or `primary` / `secondary` (of FT VM `vm`, default the first one), resolved
// when the fault fires; racks are `r1…`. Times and durations are "500us" / "250ms" / "2s".

import { z } from 'zod';
import { assert } from '../base/assert.ts';
import { parseDurationMicros } from '../base/duration.ts';
import { didYouMean } from '../base/suggest.ts';

export const SCHEDULE_VERSION = 1;
export const FAULTS_PER_SCHEDULE_MAX = 1000;

export const NETWORK_KINDS = ['logging', 'heartbeat', 'client', 'storage'] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

export const FAULT_KINDS = [
  'crash',
  'repair',
  'power-off-rack',
  'partition',
  'heal',
  'hba-fail',
  'nic-fail',
  'slow',
  'delay',
  'loss',
  'duplicate',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const duration = z.string().refine((text) => parseDurationOrNull(text) !== null, {
  message: 'expected a duration like "500us", "250ms" or "2s"',
});

function parseDurationOrNull(text: string): number | null {
  try {
    return parseDurationMicros(text, 'at');
  } catch {
    return null;
  }
}
const hostRef = z
  .string()
  .regex(/^(h[1-9]\d*|primary|secondary)$/, { message: 'expected h1…hN, primary or secondary' });
const rackRef = z.string().regex(/^r[1-9]\d*$/, { message: 'expected r1…rN' });
const vmRef = z.string().regex(/^vm[1-9]\d*$/, { message: 'expected vm1…vmN' });
const network = z.enum(NETWORK_KINDS);
const path = z.union([z.literal(0), z.literal(1), z.literal('all')], { message: 'expected 0, 1 or "all"' });
const rate = z.number().min(0).max(1);

const base = { at: duration, vm: vmRef.optional() };
/** Which links of a network: two hosts, one host's links, or (heal/delay/loss/duplicate only) all. */
const scope = { between: z.tuple([hostRef, hostRef]).optional(), host: hostRef.optional() };

const faultSchemas = {
  crash: z.strictObject({ ...base, kind: z.literal('crash'), host: hostRef }),
  repair: z.strictObject({ ...base, kind: z.literal('repair'), host: hostRef }),
  'power-off-rack': z.strictObject({ ...base, kind: z.literal('power-off-rack'), rack: rackRef }),
  partition: z.strictObject({ ...base, kind: z.literal('partition'), network, ...scope }),
  heal: z.strictObject({ ...base, kind: z.literal('heal'), network, ...scope }),
  'hba-fail': z.strictObject({ ...base, kind: z.literal('hba-fail'), host: hostRef, path }),
  'nic-fail': z.strictObject({
    ...base,
    kind: z.literal('nic-fail'),
    host: hostRef,
    path,
    /** Client NICs (a team of two, the default) or the single logging NIC. */
    network: z.enum(['client', 'logging']).optional(),
  }),
  slow: z.strictObject({
    ...base,
    kind: z.literal('slow'),
    host: hostRef,
    factor: z.number().min(1).max(1000),
  }),
  delay: z.strictObject({
    ...base,
    kind: z.literal('delay'),
    network,
    ...scope,
    ms: z.number().min(0).max(60_000),
  }),
  loss: z.strictObject({ ...base, kind: z.literal('loss'), network, ...scope, rate }),
  duplicate: z.strictObject({ ...base, kind: z.literal('duplicate'), network, ...scope, rate }),
} as const;

type RawFault = { [K in FaultKind]: z.infer<(typeof faultSchemas)[K]> }[FaultKind];
/** A validated fault; `atUs` is `at` in microseconds. */
export type Fault = RawFault & { atUs: number };
export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;

export interface FaultSchedule {
  version: typeof SCHEDULE_VERSION;
  /** Sorted by `atUs`, ties in file order. */
  faults: Fault[];
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const envelope = z.strictObject({
  version: z.literal(SCHEDULE_VERSION),
  faults: z.array(z.unknown()).max(FAULTS_PER_SCHEDULE_MAX),
});
const kindOnly = z.object({ kind: z.enum(FAULT_KINDS) });

/** Parses JSON text; throws ScheduleError naming the field. */
export function parseFaultScheduleText(text: string): FaultSchedule {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // an editor's byte-order mark
  } catch (error) {
    throw new ScheduleError(`schedule: not valid JSON (${(error as Error).message})`);
  }
  return parseFaultSchedule(json);
}

/** Validates a parsed JSON value; throws ScheduleError naming the field. */
export function parseFaultSchedule(json: unknown): FaultSchedule {
  const outer = envelope.safeParse(json);
  if (!outer.success) throw new ScheduleError(describeIssue(outer.error.issues[0]!, [], json));
  const faults: Fault[] = outer.data.faults.map((raw, index) => parseFault(raw, index));
  const order = faults.map((fault, index) => ({ fault, index }));
  order.sort((x, y) => x.fault.atUs - y.fault.atUs || x.index - y.index);
  return { version: SCHEDULE_VERSION, faults: order.map((o) => o.fault) };
}

function parseFault(raw: unknown, index: number): Fault {
  const prefix: (string | number)[] = ['faults', index];
  const kind = kindOnly.safeParse(raw);
  if (!kind.success) throw new ScheduleError(describeIssue(kind.error.issues[0]!, prefix, raw));
  const schema = faultSchemas[kind.data.kind];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const unknown = rest.find((issue) => issue.code === 'unrecognized_keys');
    // A typo (`hots`) shows up as a missing field first; name the unknown one as well.
    const also =
      unknown === undefined ? '' : `; ${describeIssue(unknown, prefix, raw, Object.keys(schema.shape))}`;
    throw new ScheduleError(`${describeIssue(first!, prefix, raw, Object.keys(schema.shape))}${also}`);
  }
  const fault = parsed.data as RawFault;
  checkScope(fault, prefix);
  const atUs = parseDurationOrNull(fault.at);
  assert(atUs !== null, 'duration validated above');
  return { ...fault, atUs };
}

function checkScope(fault: RawFault, prefix: (string | number)[]): void {
  if (!('network' in fault) || fault.kind === 'nic-fail') return;
  const where = formatPath(prefix);
  if (fault.between !== undefined && fault.host !== undefined) {
    throw new ScheduleError(`${where}.between: give either between or host, not both`);
  }
  if (fault.kind === 'partition' && fault.between === undefined && fault.host === undefined) {
    throw new ScheduleError(`${where}.between: a partition needs between (two hosts) or host`);
  }
  if (fault.between !== undefined && fault.between[0] === fault.between[1]) {
    throw new ScheduleError(`${where}.between: the two hosts must differ`);
  }
}

/**
 * Checks host, rack and VM names against a cluster of `hostCount` hosts in `rackCount` racks
 * running the VMs `vmNames` (a fault naming a VM that does not exist would silently do nothing).
 */
export function checkScheduleAgainstCluster(
  schedule: FaultSchedule,
  hostCount: number,
  rackCount: number,
  vmNames: readonly string[],
): void {
  schedule.faults.forEach((fault, index) => {
    const where = `faults[${index}]`;
    if (fault.vm !== undefined && !vmNames.includes(fault.vm)) {
      throw new ScheduleError(
        `${where}.vm: ${fault.vm} does not exist (the cluster runs ${vmNames.join(', ')})`,
      );
    }
    const hosts: [string, string][] = [];
    if ('host' in fault && fault.host !== undefined) hosts.push(['host', fault.host]);
    if ('between' in fault && fault.between !== undefined) {
      hosts.push(['between[0]', fault.between[0]], ['between[1]', fault.between[1]]);
    }
    for (const [field, name] of hosts) {
      if (name.startsWith('h') && Number(name.slice(1)) > hostCount) {
        throw new ScheduleError(
          `${where}.${field}: ${name} does not exist (the cluster has ${hostCount} hosts)`,
        );
      }
    }
    if (fault.kind === 'power-off-rack' && Number(fault.rack.slice(1)) > rackCount) {
      throw new ScheduleError(
        `${where}.rack: ${fault.rack} does not exist (the cluster has ${rackCount} racks)`,
      );
    }
  });
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'schedule' : text;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly (string | number)[],
  input: unknown,
  knownFields: readonly string[] = [],
): string {
  const path = [...prefix, ...issue.path];
  const value = valueAt(input, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const hint = issue.keys.length === 1 ? didYouMean(issue.keys[0]!, knownFields) : '';
    return `${formatPath(path)}: unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}${hint}`;
  }
  if (issue.code === 'invalid_value') {
    const values = issue.values.map((v) => String(v)).join('|');
    return `${formatPath(path)}: expected ${issue.values.length === 1 ? values : `one of ${values}`}`;
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    return `${formatPath(path)}: missing (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_type') {
    return `${formatPath(path)}: expected ${issue.expected}, got ${describeValueType(value)}`;
  }
  return `${formatPath(path)}: ${issue.message}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
