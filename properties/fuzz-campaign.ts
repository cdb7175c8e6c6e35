// The standard fuzz campaign: run specs from `runSpecArb`, judged by every invariant property.
// Shared by `ftcheck fuzz`, the gate, the tests and the benchmark, so all of them search the same
// space. `fuzzCampaignAsync` yields to the event loop between runs (for signals on the main thread).
import {
  type CampaignOptions,
  type CampaignResult,
  runCampaign,
  runCampaignAsync,
} from '../src/check/fuzz/campaign.ts';
import { type RunSpecArbOptions, runSpecArb } from './arbitraries/run-spec.ts';
import { INVARIANT_PROPERTIES, judgeRun } from './invariant-properties.ts';

export type FuzzCampaignOptions = Omit<CampaignOptions, 'arbitrary' | 'judge'> & {
  space?: RunSpecArbOptions;
};

function standard(options: FuzzCampaignOptions): CampaignOptions {
  const { space, ...rest } = options;
  return {
    ...rest,
    arbitrary: runSpecArb(space),
    judge: (result) => judgeRun(result, INVARIANT_PROPERTIES),
  };
}

export function fuzzCampaign(options: FuzzCampaignOptions): CampaignResult {
  return runCampaign(standard(options));
}

export function fuzzCampaignAsync(options: FuzzCampaignOptions): Promise<CampaignResult> {
  return runCampaignAsync(standard(options));
}
