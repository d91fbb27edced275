/** The parts of an OpenAPI document the post-processing below touches. */
export interface OpenApiDoc {
  paths?: Record<string, Record<string, { parameters?: { name: string; in: string; description?: string }[] }>>;
  [k: string]: unknown;
}

/**
 * Fastify's wildcard (`/files/*`) would appear as a path parameter named `*`, which generators cannot name.
 * It is published as `{path}`: the rest of the URL, slashes included.
 */
export function namePathWildcards<T extends OpenApiDoc>(doc: T): T {
  if (!doc.paths) return doc;
  const paths: NonNullable<OpenApiDoc['paths']> = {};
  for (const [url, ops] of Object.entries(doc.paths)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' && p.name === '*') {
          p.name = 'path';
          p.description = 'The rest of the URL: a relative file path, slashes included';
        }
      }
    }
    paths[url.replace('{*}', '{path}')] = ops;
  }
  doc.paths = paths;
  return doc;
}

/** The zod registry emits every named schema twice (input and output); keep only the ones the document uses. */
export function dropUnusedComponents<T extends OpenApiDoc>(doc: T): T {
  const components = (doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas;
  if (!components) return doc;
  for (;;) {
    const text = JSON.stringify({ ...doc, components: { ...(doc.components as object), schemas: {} } }) + JSON.stringify(components);
    const unused = Object.keys(components).filter((name) => !text.includes(`"#/components/schemas/${name}"`));
    if (!unused.length) return doc;
    for (const name of unused) delete components[name];
  }
}
