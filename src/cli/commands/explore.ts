// `ftcheck explore`: exhaustively checks the failover protocol model (models/) for a cluster of
// N hosts, optionally with a seeded model bug. Exit 0 when every property holds in every
// reachable state, 1 when a counterexample is found (or the search was cut short), 2 on bad input.
import { findModelBug, MODEL_BUGS } from '../../../models/bugs.ts';
import { CLUSTER_MODEL_MODULE, createClusterModel } from '../../../models/clusterModel.ts';
import type { ClusterContext } from '../../../models/clusterState.ts';
import { findBug } from '../../check/bugs/catalog.ts';
import { type ExploreResult, explore } from '../../check/explorer/explore.ts';
import { exploreParallel } from '../../check/explorer/parallel.ts';
import { eventText, formatStepTable, type StateView } from '../../check/explorer/stepTable.ts';
import { thrownLine } from '../../check/explorer/thrown.ts';
import { RANGES } from '../config.ts';
import { checkOutputDir, EXIT_VIOLATION, parseIntInRange, parsePositiveInt, UsageError } from '../context.ts';
import { writeItf } from '../explore-itf.ts';
import {
  parseSwarmFlags,
  runExploreSwarm,
  SWARM_MAX_STATES_DEFAULT,
  type SwarmFlags,
} from '../explore-swarm.ts';
import type { CommandRegistrar } from './index.ts';

interface ExploreFlags extends SwarmFlags {
  hosts: string;
  entries: string;
  crashes: string;
  partitions: string;
  storageLosses: string;
  bug?: string;
  json?: boolean;
  engine: string;
  maxStates?: string;
  workers?: string;
  symmetry: boolean;
  out: string;
}

function resolveBug(name: string | undefined) {
  if (name === undefined) return undefined;
  const bug = findModelBug(name);
  if (bug) return bug;
  const known = MODEL_BUGS.map((b) => b.name).join(', ');
  const other = findBug(name);
  if (other)
    throw new UsageError(`--bug ${name} is a ${other.level} bug; explore checks model bugs: ${known}`);
  throw new UsageError(`--bug: unknown bug '${name}'; model bugs are: ${known}`);
}

function parseFlags(flags: ExploreFlags) {
  const hosts = parseIntInRange('--hosts', flags.hosts, RANGES.hosts); // the gate's range too
  checkOutputDir('--out', flags.out);
  if (!['auto', 'generic', 'compiled'].includes(flags.engine)) {
    throw new UsageError(`--engine must be auto, generic or compiled, got '${flags.engine}'`);
  }
  const maxStates =
    flags.maxStates === undefined ? undefined : parsePositiveInt('--max-states', flags.maxStates);
  const bounds = {
    entries: parseBound('--entries', flags.entries),
    crashes: parseBound('--crashes', flags.crashes),
    partitions: parseBound('--partitions', flags.partitions),
    storageLosses: parseBound('--storage-losses', flags.storageLosses),
  };
  if (bounds.entries === 0) throw new UsageError('--entries must be at least 1');
  const workers =
    flags.workers === undefined ? 1 : parseIntInRange('--workers', flags.workers, RANGES.workers);
  const swarm = parseSwarmFlags(flags);
  if (swarm !== null && flags.engine === 'generic') {
    throw new UsageError(
      '--swarm needs the compiled engine (--engine auto or compiled), not --engine generic',
    );
  }
  if (workers > 1 && flags.engine === 'generic') {
    throw new UsageError(
      '--workers needs the compiled engine (--engine auto or compiled); --engine generic runs on one thread',
    );
  }
  const bug = resolveBug(flags.bug);
  return { hosts, bounds, bug, engine: flags.engine as 'auto', maxStates, workers, swarm };
}

function parseBound(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 7) {
    throw new UsageError(`${flag} must be an integer in 0..7, got '${value}'`);
  }
  return Number(value);
}

function formatProperties(result: ExploreResult): string[] {
  const width = Math.max(...result.properties.map((p) => p.name.length + (p.invariant ? 5 : 0)));
  return result.properties.map((p) => {
    const name = `${p.name}${p.invariant ? ` (${p.invariant})` : ''}`;
    const witness = p.witness ? `, witness in ${p.witness.length - 1} steps` : '';
    return `  ${p.kind.padEnd(10)}  ${name.padEnd(width)}  ${p.status}${witness}`;
  });
}

function symmetryText(result: ExploreResult): string {
  const s = result.symmetry;
  if (!s.applied) return 'off';
  const stands =
    s.orbitStates === null
      ? ''
      : `: the ${result.states} states stand for ${s.orbitStates} (reduction ${s.reduction}×)`;
  return `on (hosts are interchangeable)${stands}`;
}

function parallelText(result: ExploreResult): string {
  const p = result.parallel!;
  const temporal =
    p.temporal === 'none'
      ? 'the model has none'
      : p.temporal === 'skipped'
        ? 'NOT checked (the safety search did not finish)'
        : `checked by a sequential search (they need the whole graph in one thread)${p.temporalSearch ? `: ${p.temporalSearch.states} states in ${p.temporalSearch.seconds.toFixed(2)} s` : ''}`;
  const restarts = p.restarts > 0 ? `; ${p.restarts} restart(s) to widen the shared packing` : '';
  return `${p.workers} worker threads, states hash-partitioned (${p.note}${restarts}); temporal properties: ${temporal}`;
}

function printText(
  io: { out(text: string): void },
  result: ExploreResult,
  bounds: Record<string, number>,
  peakRssBytes: number,
  view: StateView<never>,
  itfPaths: string[],
): void {
  io.out(`model     ${result.model}`);
  io.out(`engine    ${result.engine} (${result.engineReason})`);
  io.out(
    `bounds    ${Object.entries(bounds)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  io.out(`symmetry  ${symmetryText(result)}`);
  if (result.parallel) io.out(`parallel  ${parallelText(result)}`);
  io.out(
    `explored  ${result.states} states, ${result.transitions} transitions, depth ${result.depth} in ${result.seconds.toFixed(2)} s (${result.statesPerSecond} states/s, peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB)`,
  );
  if (result.fairness) {
    io.out(
      `fairness  ${result.fairness.states} states, ${result.fairness.transitions} transitions in ${result.fairness.seconds.toFixed(2)} s, without symmetry (weak fairness is per concrete step; faults are not fair)`,
    );
  }
  io.out('properties');
  for (const line of formatProperties(result)) io.out(line);
  if (!result.complete && result.violations.length === 0) io.out('INCOMPLETE: stopped at --max-states');
  for (const [i, v] of result.violations.entries()) {
    io.out(
      `\nVIOLATION ${v.property}${v.invariant ? ` (${v.invariant})` : ''} [${v.kind}]: ${v.description}`,
    );
    const steps = v.trace.length - 1;
    if (v.loopStart === undefined) io.out(`shortest counterexample, ${steps} steps (ITF: ${itfPaths[i]}):`);
    else {
      io.out(
        `counterexample lasso (ITF: ${itfPaths[i]}): ${v.loopStart} steps, then steps ${v.loopStart + 1}-${steps} repeat forever (step ${steps} is the state of step ${v.loopStart} again)`,
      );
    }
    io.out(formatStepTable(v.trace as never, view));
    if (v.thrown) io.out(`then ${thrownLine(v.thrown)}`);
  }
  if (result.violations.length === 0 && result.complete)
    io.out('all properties hold in every reachable state');
}

export const registerExplore: CommandRegistrar = (program, io, setExit) => {
  program
    .command('explore')
    .description('check every reachable state of the failover protocol model (exit 1 on a counterexample)')
    .option('--hosts <n>', 'hosts in the modelled cluster (2-6)', '3')
    .option('--entries <n>', 'log entries the VM executes per run (1-7)', '2')
    .option('--crashes <n>', 'host crashes per run (0-7)', '1')
    .option('--partitions <n>', 'network partitions per run (0-7)', '1')
    .option('--storage-losses <n>', 'losses of all storage paths of a host per run (0-7)', '1')
    .option('--bug <name>', 'seed a model bug from the catalog (see `ftcheck bugs`)')
    .option('--engine <engine>', 'auto | generic (machine.transition) | compiled', 'auto')
    .option('--no-symmetry', 'explore without host symmetry reduction')
    .option(
      '--max-states <n>',
      `stop after this many states (with --swarm: per member, default ${SWARM_MAX_STATES_DEFAULT})`,
    )
    .option(
      '--workers <n>',
      'worker threads for the safety search (1-64, default 1); temporal properties stay sequential; with --swarm, threads that run members',
    )
    .option(
      '--swarm <k>',
      'swarm verification: K bounded searches with different seeds, orders and strategies (safety only; exit 4 when nothing is found and no member finished)',
    )
    .option('--swarm-seed <n>', 'seed of the swarm (default 1)')
    .option(
      '--shard <i/n>',
      'with --swarm: run members i-1, i-1+n, … and write a shard file into --out (combine with `ftcheck merge`)',
    )
    .option(
      '--out <dir>',
      'where counterexamples (ITF JSON) and swarm shard files are written',
      'reports/counterexamples',
    )
    .option('--json', 'print one JSON object')
    .action(async (flags: ExploreFlags) => {
      const { hosts, bounds, bug, engine, maxStates, workers, swarm } = parseFlags(flags);
      const model = createClusterModel({ hosts, ...bounds, bug });
      if (swarm !== null) {
        const label = `h${hosts}${bug ? `-${bug.name}` : ''}`;
        const shardModel = { name: model.name, hosts, ...bounds, bug: bug?.name ?? null };
        const run = {
          model,
          shardModel,
          bounds: { hosts, ...bounds },
          label,
          workers,
          symmetry: flags.symmetry,
          out: flags.out,
          json: flags.json === true,
        };
        setExit(await runExploreSwarm(run, swarm, io));
        return;
      }
      const options = { engine, maxStates, symmetry: flags.symmetry };
      const result =
        workers === 1
          ? explore(model, options)
          : await exploreParallel<ClusterContext>(
              {
                module: CLUSTER_MODEL_MODULE,
                exportName: 'clusterModelFromOptions',
                args: [{ hosts, ...bounds, bug: bug?.name }],
              },
              { ...options, workers },
            );
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      const label = `h${hosts}${bug ? `-${bug.name}` : ''}`;
      const allBounds = { hosts, ...bounds };
      const itfPaths = result.violations.map((v) =>
        writeItf(flags.out, result.model, v, label, model.itfVars),
      );
      if (flags.json) {
        const { storeBytes, properties, violations: _, ...figures } = result;
        const violations = result.violations.map((v, i) => ({
          kind: v.kind,
          property: v.property,
          invariant: v.invariant ?? null,
          description: v.description,
          steps: v.trace.length - 1,
          loopStart: v.loopStart ?? null,
          ...(v.thrown
            ? { thrown: { event: v.thrown.event && eventText(v.thrown.event), error: v.thrown.error } }
            : {}),
          itf: itfPaths[i],
          trace: v.trace.map((step, k) => ({
            step: k,
            event: eventText(step.event),
            state: model.view(step.state),
          })),
        }));
        const checked = properties.map(({ witness, ...p }) => ({
          ...p,
          invariant: p.invariant ?? null,
          ...(witness ? { witnessSteps: witness.length - 1 } : {}),
        }));
        io.out(
          JSON.stringify(
            {
              ...figures,
              bounds: allBounds,
              hosts,
              bug: bug?.name ?? null,
              storeBytes,
              peakRssBytes,
              properties: checked,
              violations,
            },
            null,
            2,
          ),
        );
      } else {
        printText(io, result, allBounds, peakRssBytes, model.view as StateView<never>, itfPaths);
      }
      if (result.violations.length > 0 || !result.complete) setExit(EXIT_VIOLATION);
    });
};
