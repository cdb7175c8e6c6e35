// How a guest run ended, in words: shared by every `ftcheck run` mode's summary line.
export function describeStop(stop: string, exitCode: number, fatalReason?: string): string {
  if (stop === 'exit') return `exited with code ${exitCode}`;
  if (stop === 'budget') return 'stopped at the instruction budget';
  if (stop === 'wfi') return 'is idle with nothing left to wake it';
  if (stop === 'fatal') return `halted: ${fatalReason ?? 'fatal trap'}`;
  return stop;
}
