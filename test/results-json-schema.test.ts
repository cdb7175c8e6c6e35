// The published JSON Schema of results.json: current with the zod schema, accepted by a standard
// validator (ajv, draft 2020-12) for what the gate writes, strict about what it does not, and
// referenced by `$schema` from every results.json written.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  RESULTS_SCHEMA_FILE,
  resultsJsonSchema,
  resultsJsonSchemaText,
} from '../src/report/results-json-schema.ts';
import { parseResults } from '../src/report/results-schema.ts';
import { writeReports } from '../src/report/write-reports.ts';
import { loadFixture } from './report-fixture.ts';

const SCHEMA_PATH = join(import.meta.dirname, '..', RESULTS_SCHEMA_FILE);

function validator() {
  return new Ajv2020({ allErrors: true, strict: false }).compile(resultsJsonSchema());
}

describe('results.json JSON Schema', () => {
  it('is current: schema/results.schema.json is what the zod schema generates (npm run schema)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(resultsJsonSchemaText());
  });

  it('accepts the results.json the reports writer produces, which points at it with $schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-schema-'));
    const results = { ...loadFixture(), git: { commit: 'a'.repeat(40) } };
    await writeReports(results, dir);
    const written = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Object.keys(written)[0]).toBe('$schema');
    expect(resolve(dir, written.$schema)).toBe(resolve(SCHEMA_PATH));
    const validate = validator();
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    expect(parseResults(written, 'results.json').git?.commit).toBe('a'.repeat(40));
    expect(dirname(SCHEMA_PATH)).toMatch(/schema$/);
  });

  it('refuses what the gate never writes, naming the field', () => {
    const validate = validator();
    const broken = { ...loadFixture(), verdict: 'maybe', git: { commit: 'HEAD' } };
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    expect(paths).toContain('/verdict');
    expect(paths).toContain('/git/commit');
    const { invariants: _dropped, ...withoutInvariants } = loadFixture();
    expect(validate(withoutInvariants)).toBe(false);
    expect(validate({ ...loadFixture(), surprise: 1 })).toBe(false);
  });
});
