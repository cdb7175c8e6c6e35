// The reference oracle (I2): replaying the authoritative log in a fresh VM must reproduce exactly
// the outputs the outside world saw.
import type { VirtualMachineApi } from '../vm/api.ts';
import { LogReceiver } from './log-channel.ts';
import { LOG_ENTRY_BYTES_MAX } from './log-codec.ts';
import { firstOutputDifference, type OutputLog } from './output-log.ts';
import { type ReplayFault, SecondaryReplayer } from './secondary-replayer.ts';

export interface ReferenceReplay {
  outputs: OutputLog;
  instret: number;
  exited: boolean;
  fault: ReplayFault | null;
}

/** Replays a whole log (from its start entry) on `vm`, which must be in the log's initial state. */
export function replayReference(vm: VirtualMachineApi, log: Uint8Array): ReferenceReplay {
  const receiver = new LogReceiver({ bufferBytesMax: Math.max(log.length, LOG_ENTRY_BYTES_MAX) });
  receiver.deliver({ offset: 0, bytes: log });
  const replayer = new SecondaryReplayer({ vm, receiver });
  replayer.advance(Number.POSITIVE_INFINITY);
  const fault =
    replayer.fault ??
    (replayer.caughtUp
      ? null
      : { instret: vm.instret, message: 'the reference replay stopped before the end of the log' });
  return { outputs: replayer.suppressed, instret: vm.instret, exited: vm.exited, fault };
}

/** Null when the world's outputs equal the reference replay's; otherwise what differs. */
export function checkReferenceOracle(
  world: OutputLog,
  vm: VirtualMachineApi,
  log: Uint8Array,
): string | null {
  const reference = replayReference(vm, log);
  if (reference.fault !== null) {
    return `reference replay failed at instret ${reference.fault.instret}: ${reference.fault.message}`;
  }
  const difference = firstOutputDifference(world, reference.outputs);
  return difference === null ? null : `world output differs from the reference replay: ${difference}`;
}
