import { z } from 'zod';
import { lazyToolInput, type ToolDef } from '../agent/tools.js';
import { ARTIFACT_TYPES, artifactFiles, type ArtifactStore } from './store.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const CREATE_ARTIFACT_INPUT = lazyToolInput(() =>
  z.object({
    name: z.string(),
    description: z.string(),
    type: z.enum(ARTIFACT_TYPES),
    primary: z.string().describe('Main file name, e.g. dashboard.html').optional(),
  }),
);

const SET_ARTIFACT_PRIMARY_INPUT = lazyToolInput(() => z.object({ slug: z.string(), primary: z.string().optional() }));

const LIST_ARTIFACTS_INPUT = lazyToolInput(() => z.object({}));

const OPEN_ARTIFACT_INPUT = lazyToolInput(() => z.object({ slug: z.string() }));

/** create_artifact, set_artifact_primary, list_artifacts, open_artifact (the reference's core tools). */
export function artifactTools(store: ArtifactStore): ToolDef[] {
  const notFound = (slug: string) => ({ content: `No artifact with slug "${slug}". Call list_artifacts.`, isError: true });
  return [
    {
      name: 'create_artifact',
      description: 'Create a folder for a deliverable (dashboard, report, dataset, image…) before writing its files. Returns its absolute path.',
      inputSchema: CREATE_ARTIFACT_INPUT(),
      prompt: `## Artifacts
Deliverables live in artifact folders under ${store.root}. Call create_artifact before writing a new one, then write its files
into the returned path with absolute paths. To change an existing deliverable, use list_artifacts / open_artifact and edit its files.`,
      handler: async (input) => {
        const m = store.create(String(input.name ?? 'Untitled'), String(input.description ?? ''), String(input.type ?? 'mixed'), input.primary ? String(input.primary) : null);
        const path = store.dir(m.slug);
        if (!m.existing) return JSON.stringify({ id: m.id, slug: m.slug, name: m.name, type: m.type, primary: m.primary, path });
        // Same name as an existing deliverable: its folder is reused (never a second one beside it); the model is told.
        const files = artifactFiles(path).map((f) => f.path);
        return JSON.stringify({ id: m.id, slug: m.slug, name: m.name, type: m.type, primary: m.primary, path, existing: true, files, note: 'An artifact with this name already exists: update its files in this folder, or create one with a different name for a separate deliverable.' });
      },
    },
    {
      name: 'set_artifact_primary',
      description: 'Set (or clear with "") the main file of an artifact.',
      inputSchema: SET_ARTIFACT_PRIMARY_INPUT(),
      handler: async (input) => {
        const slug = String(input.slug ?? '');
        const m = store.update(slug, (cur) => ({ ...cur, primary: input.primary ? String(input.primary) : null }));
        return m ? JSON.stringify({ slug, primary: m.primary }) : notFound(slug);
      },
    },
    {
      name: 'list_artifacts',
      description: 'List the artifacts of this project.',
      inputSchema: LIST_ARTIFACTS_INPUT(),
      handler: async () =>
        JSON.stringify(store.list().map((m) => ({ slug: m.slug, name: m.name, type: m.type, description: m.description, file_count: artifactFiles(store.dir(m.slug)).length, updatedAt: m.updatedAt }))),
    },
    {
      name: 'open_artifact',
      description: 'Show an artifact: its metadata, folder path and files.',
      inputSchema: OPEN_ARTIFACT_INPUT(),
      handler: async (input) => {
        const slug = String(input.slug ?? '');
        const m = store.rescan(slug);
        return m ? JSON.stringify({ ...m, path: store.dir(slug), files: m.files.map((f) => ({ path: f.path, bytes: f.bytes })) }) : notFound(slug);
      },
    },
  ];
}
