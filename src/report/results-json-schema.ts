// The published JSON Schema of results.json (schema/results.schema.json in the package), generated
// from the zod schema that validates the file on read, so the two cannot disagree. results.json
// points at it with `$schema`; `npm run schema` rewrites it, and a test checks it is current.
import { z } from 'zod';
import { RESULTS_VERSION } from '../check/results.ts';
import { gateResultsSchema } from './results-schema.ts';

/** Where the schema lives, relative to the package root. */
export const RESULTS_SCHEMA_FILE = 'schema/results.schema.json';

export function resultsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(gateResultsSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: `urn:ftcheck:results:v${RESULTS_VERSION}`,
    title: `ftcheck results.json, version ${RESULTS_VERSION}`,
    description:
      "The gate's machine-readable result: verdict, per-invariant results, stage figures, seeded-bug self-test and counterexamples.",
    ...rest,
  };
}

/** The schema file's text (stable key order, trailing newline). */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}
