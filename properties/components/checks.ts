// The component checks ftcheck runs, in order (cheapest first).
import type { ComponentCheck } from './component-check.ts';
import { logChannelCheck } from './log-channel.ts';
import { logCodecCheck } from './log-codec.ts';
import { networkCheck } from './network.ts';
import { storageLockCheck } from './storage-lock.ts';

export const COMPONENT_CHECKS: readonly ComponentCheck[] = [
  logCodecCheck,
  storageLockCheck,
  networkCheck,
  logChannelCheck,
];

export function findComponentCheck(name: string): ComponentCheck | undefined {
  return COMPONENT_CHECKS.find((check) => check.name === name);
}
