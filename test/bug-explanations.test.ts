// Every catalogued bug's counterexample explains itself: replayed at the default detail (the
// causal slice), its timeline holds the events the bug's description names — the output let out
// before its acknowledgement, the go-live without a test-and-set, the secondary placed on the
// primary's host… — and so do its Mermaid diagram and its space-time diagram in Chromium.
// The counterexamples are fixtures (test/fixtures/counterexamples/bugs/<bug>.json, found by the
// fuzzer with a fixed seed) so this costs one replay per bug. A trace file belongs to one version
// of the system: when a change in cluster timing makes a fixture stop showing its bug, this test
// says so; find a new one with `npx ftcheck fuzz --bug NAME --runs 200` and replace the file.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModelBug } from '../models/bugs.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { stepTimeline } from '../src/check/explorer/stepTable.ts';
import { fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import type { CounterexampleSummary, TimelineEvent } from '../src/check/results.ts';
import { readTraceFile } from '../src/check/trace-file.ts';
import { stateTableHtml } from '../src/report/state-table-html.ts';
import { timelineToMermaid } from '../src/report/timeline-mermaid.ts';
import { writeReports } from '../src/report/write-reports.ts';
import { loadFixture } from './report-fixture.ts';

type Timeline = readonly TimelineEvent[];
/** An explanation event: the first event of the timeline it matches, or undefined. */
type Finder = (timeline: Timeline) => TimelineEvent | undefined;

const find =
  (kind: TimelineEvent['kind'], text: RegExp, lane?: (t: Timeline) => string | undefined): Finder =>
  (t) =>
    t.find((e) => e.kind === kind && text.test(e.text) && (lane === undefined || e.lane === lane(t)));

/** The host that went live as a new primary (from a secondary). */
const wentLive = find('role', /: secondary\.[\w.]+ → primary\.alone on /);
const liveHost = (t: Timeline) => wentLive(t)?.lane;
const violationHost = (t: Timeline) => t.at(-1)!.lane;
/** No granted test-and-set for the host that went live before it did. */
const noLockFor =
  (host: (t: Timeline) => string | undefined): Finder =>
  (t) => {
    const live = wentLive(t);
    const granted = t.find(
      (e) => e.kind === 'lock' && e.text.includes(`by ${host(t)} `) && e.text.includes('granted'),
    );
    return live !== undefined && (granted === undefined || granted.atMicros > live.atMicros)
      ? live
      : undefined;
  };
const logToSecondary = (t: Timeline) =>
  t.find(
    (e) =>
      e.kind === 'message' &&
      e.text.startsWith('log ') &&
      e.lane === violationHost(t) &&
      e.from !== undefined,
  );
const ackFromSecondary = find('message', /^ack \d+/, violationHost);

const dataPlaneI1 = [logToSecondary, ackFromSecondary];
const earlyOutput = [
  find('output', /released \w+ output #\d+ before its log entry was acknowledged/),
  find('message', /^ack \d+/),
];
const goLiveWithoutLock = [find('note', /peer h\d+ silent on/, liveHost), noLockFor(liveHost)];

/** What each bug's description names, as events its timeline must hold. */
const EXPLANATIONS: Record<string, Finder[]> = {
  'go-live-without-test-and-set': goLiveWithoutLock,
  'heartbeat-timeout-below-replay-without-test-and-set': goLiveWithoutLock,
  'output-before-ack': earlyOutput,
  'output-released-before-ack': earlyOutput,
  'go-live-without-replay': [
    (t) =>
      t.find(
        (e) =>
          e.kind === 'message' && e.text.startsWith('log ') && e.lane === liveHost(t) && e.from !== undefined,
      ),
    find('note', /op=leave-replay/, liveHost),
    wentLive,
  ],
  'skip-pending-io-reissue': [find('note', /op=leave-replay .*pendingDisk=[1-9]/, liveHost), wentLive],
  'pending-disk-write-not-reissued': [
    find('note', /op=leave-replay .*pendingDisk=[1-9]/, liveHost),
    find('note', /op=reissue requests=0/, liveHost),
  ],
  'respawn-on-primary-host': [find('note', /places a new secondary on (h\d+) .*; primary on \1 /)],
  'ha-same-rack': [
    find('note', /places a new secondary on h\d+ \(rack (r\d+)\); primary on h\d+ \(rack \1\)/),
  ],
  'stale-primary-resumes': [find('fault', /^REPAIR /), find('role', /: failed → primary\.alone on REPAIR/)],
  'continue-alone-without-test-and-set': [
    (t) => {
      const alone = t.find(
        (e) => e.kind === 'role' && /primary\.engaged → primary\.alone on PEER_SILENT/.test(e.text),
      );
      const locked = t.find(
        (e) => e.kind === 'lock' && alone !== undefined && e.text.includes(`by ${alone.lane} `),
      );
      return alone !== undefined && (locked === undefined || locked.atMicros > alone.atMicros)
        ? alone
        : undefined;
    },
  ],
  'interrupt-late': dataPlaneI1,
  'dma-misplaced': dataPlaneI1,
  'time-unlogged': dataPlaneI1,
  'log-entry-dropped': dataPlaneI1,
  'log-entries-reordered': dataPlaneI1,
  'output-not-suppressed': [find('output', /by an instance that is not the acting primary/, violationHost)],
  'client-address-not-moved': [
    wentLive,
    (t) => {
      const live = wentLive(t);
      const moved = t.find(
        (e) => e.kind === 'role' && e.text.includes(`client address now at ${live?.lane}`),
      );
      const lost = t.find(
        (e) =>
          e.kind === 'message' &&
          /^c\d+$/.test(e.lane) &&
          e.lost !== undefined &&
          live !== undefined &&
          e.atMicros > live.atMicros,
      );
      return moved === undefined ? lost : undefined;
    },
  ],
  'storage-lost-on-one-hba': [
    find('fault', /^HBA-FAIL .*path=[01]$/),
    find('role', /primary\.engaged → halted on STORAGE_LOST/),
  ],
  'primary-ignores-silent-secondary': [
    find('role', /secondary\.engaged → failed on CRASH/),
    // The primary heard nothing from its dead secondary and never said so.
    (t) => {
      const silent = t.find((e) => e.kind === 'note' && /peer h\d+ silent on/.test(e.text));
      return silent === undefined ? find('message', /request #\d+ \(attempt [2-9]/)(t) : undefined;
    },
  ],
  'disk-retry-without-backoff': [
    find('fault', /^DELAY network=storage/),
    find('message', /request #\d+ \(attempt [2-9]/),
  ],
  'keepalive-not-acked': [
    find('message', /^keepalive/),
    // The primary heard nothing on the logging channel although its keepalives arrived.
    find('note', /peer h\d+ silent on logging/),
  ],
  'heartbeat-dated-at-send': [
    find('fault', /^DELAY network=heartbeat/),
    // Heartbeats kept arriving, but the receiver dated them by their send time.
    find('note', /peer h\d+ silent on heartbeats/),
  ],
};

const FIXTURES = 'test/fixtures/counterexamples/bugs';
/** Model bugs that only change the abstract environment have no effect on the cluster: the
 * model checker's state table explains them (below), not a fuzz timeline. */
const modelOnly = (name: string) => {
  const bug = findModelBug(name);
  return bug !== undefined && bug.agent === undefined && bug.ha === undefined;
};
const bugs = fuzzableBugs().filter((bug) => !modelOnly(bug.name));

describe('every catalogued bug’s counterexample explains itself', () => {
  const timelines = new Map<string, TimelineEvent[]>();

  it('has an explanation and a counterexample for every bug', () => {
    expect(Object.keys(EXPLANATIONS).sort()).toEqual(bugs.map((b) => b.name).sort());
    for (const bug of bugs) expect(existsSync(join(FIXTURES, `${bug.name}.json`)), bug.name).toBe(true);
  });

  for (const bug of bugs) {
    it(`${bug.name}: ${bug.description}`, () => {
      const file = readTraceFile(join(FIXTURES, `${bug.name}.json`));
      const replay = replayTraceFile(file);
      expect(replay.violation, `${bug.name} no longer shows a violation: refresh its fixture`).not.toBeNull();
      const timeline = replay.timeline;
      timelines.set(bug.name, timeline);
      expect(timeline.at(-1)!.kind).toBe('violation');
      const mermaid = timelineToMermaid(timeline);
      for (const [i, explain] of EXPLANATIONS[bug.name]!.entries()) {
        const event = explain(timeline);
        expect(event, `${bug.name}: explanation event ${i + 1} missing from the timeline`).toBeDefined();
        // The Mermaid diagram shows it too: a message as an arrow, anything else as a note.
        const shown = event!.kind === 'message' ? event!.text : event!.text.slice(0, 40);
        expect(mermaid.replace(/#(\d+);/g, (_, c) => String.fromCharCode(Number(c)))).toContain(shown);
      }
    });
  }

  for (const bug of fuzzableBugs().filter((b) => modelOnly(b.name))) {
    it(`${bug.name} (model only): its shortest counterexample renders as a state table`, () => {
      const model = createClusterModel({ hosts: 2, bug: findModelBug(bug.name) });
      const violation = explore(model, { engine: 'auto' }).violations[0];
      expect(violation).toBeDefined();
      const html = stateTableHtml(stepTimeline(violation!.trace, model.view, violation!.property));
      expect(html).toContain(`— ${violation!.property}</th>`);
      expect(html.match(/<tr/g)!.length - 1).toBe(violation!.trace.length);
    });
  }

  describe.skipIf(process.env.FTCHECK_SKIP_BROWSER === '1')('in Chromium', () => {
    let dir: string;
    let browser: Browser;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ftcheck-bugs-'));
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('draws every bug’s explanation events in its space-time diagram, with no console error', async () => {
      expect(timelines.size).toBe(bugs.length);
      const results = loadFixture();
      results.counterexamples = bugs.map(
        (bug): CounterexampleSummary => ({
          path: `counterexamples/${bug.name}.json`,
          invariant: 'I0',
          atMicros: timelines.get(bug.name)!.at(-1)!.atMicros,
          message: bug.name,
          reproduce: `npx ftcheck replay counterexamples/${bug.name}.json`,
          mermaid: '',
          timeline: timelines.get(bug.name)!,
        }),
      );
      await writeReports(results, dir);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      const diagrams = page.locator('.st');
      expect(await diagrams.count()).toBe(bugs.length);
      // (tsconfig has no DOM lib on purpose: the page's nodes are typed by what is used.)
      type Node = { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
      const rowTexts = await page.$$eval('.st', (nodes) =>
        (nodes as unknown as Node[]).map((node) =>
          Array.from(node.querySelectorAll('.st-x'), (x) => x.textContent ?? ''),
        ),
      );
      bugs.forEach((bug, i) => {
        for (const explain of EXPLANATIONS[bug.name]!) {
          const event = explain(timelines.get(bug.name)!)!;
          expect(
            rowTexts[i]!.some((text) => text.includes(event.text)),
            `${bug.name}: ${event.text}`,
          ).toBe(true);
        }
      });
      expect(errors).toEqual([]);
    });
  });
});
