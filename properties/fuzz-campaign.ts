// The standard fuzz campaign: run specs from `runSpecArb`, judged by every invariant property.
// Shared by `ftcheck fuzz`, the gate, the tests and the benchmark, so all of them search the same
// space. `fuzzCampaignAsync` yields to the event loop between runs (for signals on the main thread);
// `fuzzStripe` + `StripedCampaign` split its search over worker threads (same result).

import {
  type CampaignOptions,
  type CampaignResult,
  runCampaign,
  runCampaignAsync,
  type Stripe,
  StripedCampaign,
  type StripeResult,
  searchStripe,
} from '../src/check/fuzz/campaign.ts';
import type { FtRunResult } from '../src/check/monitors/ft-run.ts';
import { type RunSpecArbOptions, runLengthOf, runSpecArb } from './arbitraries/run-spec.ts';
import { INVARIANT_PROPERTIES, judgeRun } from './invariant-properties.ts';

export type FuzzCampaignOptions = Omit<CampaignOptions, 'arbitrary' | 'judge'> & {
  space?: RunSpecArbOptions;
};

function standard(options: FuzzCampaignOptions): CampaignOptions {
  const { space, ...rest } = options;
  return {
    ...rest,
    arbitrary: runSpecArb(space),
    runLengthUs: runLengthOf(space),
    judge: (result) => judgeRun(result, INVARIANT_PROPERTIES),
  };
}

export function fuzzCampaign(options: FuzzCampaignOptions): CampaignResult {
  return runCampaign(standard(options));
}

export function fuzzCampaignAsync(options: FuzzCampaignOptions): Promise<CampaignResult> {
  return runCampaignAsync(standard(options));
}

/** One stripe of the standard campaign's search (run in a worker thread). */
export function fuzzStripe<T>(
  options: FuzzCampaignOptions,
  stripe: Stripe,
  collect: (result: FtRunResult) => T,
): StripeResult<T> {
  return searchStripe(standard(options), stripe, collect);
}

/** The standard campaign whose search runs in stripes; merges them and shrinks. */
export function stripedFuzzCampaign(options: FuzzCampaignOptions): StripedCampaign {
  return new StripedCampaign(standard(options));
}
