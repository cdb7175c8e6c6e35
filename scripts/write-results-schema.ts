// `npm run schema`: rewrites schema/results.schema.json from the zod schema of results.json.
import { writeFileSync } from 'node:fs';
import { packagePath } from '../src/base/package-root.ts';
import { RESULTS_SCHEMA_FILE, resultsJsonSchemaText } from '../src/report/results-json-schema.ts';

writeFileSync(packagePath(RESULTS_SCHEMA_FILE), resultsJsonSchemaText());
console.log(`wrote ${RESULTS_SCHEMA_FILE}`);
