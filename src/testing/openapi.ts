import { startTestApp } from './test-app.js';

/** The version is left out of the committed snapshot: a release is not a contract change. */
export const SNAPSHOT_VERSION = '0.0.0-snapshot';
export const SNAPSHOT_PATH = 'docs/openapi.json';
export const CLIENT_TYPES_PATH = 'src/client/api.ts';

/** The live /openapi.json of a fresh server, in its committed (snapshot) form. */
export async function liveOpenApi(): Promise<Record<string, unknown> & { info: { version: string } }> {
  const ta = await startTestApp();
  try {
    const res = await ta.app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}: ${res.body}`);
    const doc = res.json();
    doc.info.version = SNAPSHOT_VERSION;
    return doc;
  } finally {
    await ta.close();
  }
}

export const snapshotText = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

/** TypeScript types for the document (openapi-typescript), as committed in src/client/api.ts. */
export async function clientTypesFor(doc: unknown): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(doc as never, { alphabetize: false });
  return `/* Generated from docs/openapi.json by \`npm run openapi:snapshot\`. Do not edit. */\n\n${astToString(ast)}`;
}
