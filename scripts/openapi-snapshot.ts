// Refresh the committed contract: docs/openapi.json (from a fresh server) and the client types generated from it.
import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, SNAPSHOT_PATH, clientTypesFor, liveOpenApi, snapshotText } from '../src/testing/openapi.js';

const doc = await liveOpenApi();
writeFileSync(SNAPSHOT_PATH, snapshotText(doc));
writeFileSync(CLIENT_TYPES_PATH, await clientTypesFor(doc));
console.log(`wrote ${SNAPSHOT_PATH} and ${CLIENT_TYPES_PATH}`);
