// One host's instance of an FT VM: the hypervisor agent that runs the protocol machine for it,
// and, while it holds one, the VM with its lockstep side (primary recorder or secondary replayer).
// Instances are numbered per VM, so a message meant for an instance that has since been replaced
// on the same host is recognised as stale.
import type { AgentCommand, AgentEvent } from '../../models/agent.ts';
import type { LagController } from '../lockstep/lag-controller.ts';
import type { LogReceiver, LogSender } from '../lockstep/log-channel.ts';
import type { PrimaryRecorder } from '../lockstep/primary-recorder.ts';
import type { GoLiveReport, SecondaryReplayer } from '../lockstep/secondary-replayer.ts';
import type { DiskRequest, VirtualMachineApi, VmInput } from '../vm/api.ts';
import type { MachineActor } from './agent-actor.ts';
import type { Host } from './host.ts';

export type OutputKindName = 'console' | 'nic' | 'disk';

/** Output counts of an execution, per kind (what I2/I4 index outputs by). */
export interface OutputCounts {
  console: number;
  nic: number;
  disk: number;
}

export interface StagedOutput {
  kind: OutputKindName;
  /** Position in the VM's one deterministic execution. */
  index: number;
  instret: number;
  /** Log offset just past the entry that produced it (what the Output Rule waits for). */
  entryEnd: number;
  /** A console byte or a packet (empty for a disk output: its request says what it is). */
  bytes: Uint8Array;
  request?: DiskRequest;
}

export const NIC_QUEUE_PACKETS_MAX = 64;

export class FtInstance {
  /** Incremented for every VM instance a host gets (stale messages compare it). */
  serial = 0;
  vm: VirtualMachineApi | null = null;
  recorder: PrimaryRecorder | null = null;
  replayer: SecondaryReplayer | null = null;
  sender: LogSender | null = null;
  /** Slows the primary when its secondary falls far behind (attached with the sender). */
  lag: LagController | null = null;
  receiver: LogReceiver | null = null;
  /** Lock generation this instance knows (its write token when primary). */
  generation = 0;
  /** Test-and-set attempts in a row that timed out: the next one waits twice as long. */
  lockTimeouts = 0;
  /** Execution outputs before this instance's log stream began (from the snapshot). */
  outputBase: OutputCounts = { console: 0, nic: 0, disk: 0 };
  /** Outputs this instance released to the world, per kind. */
  released: OutputCounts = { console: 0, nic: 0, disk: 0 };
  /** Outputs the gate let go but the agent has not released (yet). */
  staged: StagedOutput[] = [];
  /** Packets from clients waiting for the guest's receive buffer. */
  nicQueue: Uint8Array[] = [];
  /** Completed disk requests waiting to be injected. */
  diskDone: VmInput[] = [];
  /** Disk requests issued to storage and not completed (reissued at go-live). */
  diskInFlight = new Map<number, DiskRequest>();
  /**
   * Disk requests the primary's VM started and has not yet seen complete (staged, in flight, or
   * done but not injected): what a snapshot of the VM leaves pending on a new secondary.
   */
  diskOutstanding = new Map<number, DiskRequest>();
  /** Timeout doublings a new disk request starts at: one below the wait that last got a reply. */
  diskTimeoutLevel = 0;
  /** Writes the array fenced before this instance learnt it holds a newer generation: sent again with it. */
  fencedWrites: DiskRequest[] = [];
  /** Stunned while its snapshot travels to a new secondary (until lockstep engages). */
  pausedForSnapshot = false;
  /** The VM stopped in `wfi`: skip it until an input arrives. */
  idle = false;
  timerInjectedFor = -1;
  lastHeartbeatUs = 0;
  lastLogTrafficUs = 0;
  /** No log traffic is shipped or taken (after disengage). */
  disengaged = false;
  goLive: GoLiveReport | null = null;
  /** Pending disk requests of the go-live report that were reissued. */
  reissuedCount = 0;
  drainUs = 0;
  /** Host of the peer instance (the other half of the pair), if any. */
  peer: string | null = null;
  /** The log stream this instance sends or receives (numbered per VM). */
  streamId = 0;
  /** When the primary last took a checkpoint digest. */
  lastCheckpointUs = -1;
  /** Log bytes acknowledged at the last heartbeat tick (to notice a stalled stream). */
  ackedAtLastTick = 0;

  constructor(
    readonly vmName: string,
    readonly host: Host,
    readonly agent: MachineActor<AgentEvent, AgentCommand>,
  ) {}

  get acting(): boolean {
    return this.host.up && this.agent.hasTag('acting');
  }

  get isPrimary(): boolean {
    return this.agent.hasTag('primary');
  }

  get isSecondary(): boolean {
    return this.agent.hasTag('secondary');
  }

  get engaged(): boolean {
    return this.agent.hasTag('engaged');
  }

  /** Whether this instance occupies one of its host's VM slots. */
  private holdsSlot = false;

  takeSlot(): void {
    if (this.holdsSlot) return;
    this.holdsSlot = true;
    this.host.slotsUsed++;
  }

  /** Drops the VM and everything attached to it (crash, halt) and gives the slot back. */
  clear(): void {
    if (this.holdsSlot) {
      this.holdsSlot = false;
      this.host.slotsUsed--;
    }
    this.recorder?.gate.discard();
    this.vm = null;
    this.recorder = null;
    this.replayer = null;
    this.sender = null;
    this.lag = null;
    this.receiver = null;
    this.staged = [];
    this.nicQueue = [];
    this.diskDone = [];
    this.diskInFlight.clear();
    this.diskOutstanding.clear();
    this.fencedWrites = [];
    this.diskTimeoutLevel = 0;
    // A new instance starts a new backoff: a halt or crash in the middle of a claim left no reply.
    this.lockTimeouts = 0;
    this.idle = false;
    this.pausedForSnapshot = false;
    this.timerInjectedFor = -1;
    this.disengaged = false;
    this.goLive = null;
    this.reissuedCount = 0;
    this.peer = null;
    this.streamId = 0;
    this.released = { console: 0, nic: 0, disk: 0 };
    this.outputBase = { console: 0, nic: 0, disk: 0 };
  }

  /** The count of outputs of `kind` this instance's execution has produced and released. */
  producedIndex(kind: OutputKindName): number {
    return this.outputBase[kind] + this.released[kind];
  }
}
