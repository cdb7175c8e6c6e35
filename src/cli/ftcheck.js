#!/usr/bin/env node
// Development launcher: runs the TypeScript sources through tsx (a dev dependency) — `npm start`
// and tests in a clone. The published command is the build of bin.ts (dist/src/cli/bin.js).
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
