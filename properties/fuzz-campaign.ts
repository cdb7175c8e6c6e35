// The standard fuzz campaign: run specs from `runSpecArb`, judged by every invariant property.
// Shared by `ftcheck fuzz`, the tests and the benchmark, so all three search the same space.
import { type CampaignOptions, type CampaignResult, runCampaign } from '../src/check/fuzz/campaign.ts';
import { type RunSpecArbOptions, runSpecArb } from './arbitraries/run-spec.ts';
import { INVARIANT_PROPERTIES, judgeRun } from './invariant-properties.ts';

export type FuzzCampaignOptions = Omit<CampaignOptions, 'arbitrary' | 'judge'> & {
  space?: RunSpecArbOptions;
};

export function fuzzCampaign(options: FuzzCampaignOptions): CampaignResult {
  const { space, ...rest } = options;
  return runCampaign({
    ...rest,
    arbitrary: runSpecArb(space),
    judge: (result) => judgeRun(result, INVARIANT_PROPERTIES),
  });
}
