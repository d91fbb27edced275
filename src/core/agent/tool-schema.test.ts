import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { toolInputSchema } from './tools.js';

test('a tool input schema derived from zod reads as the hand-written JSON Schema the model always saw', () => {
  const schema = toolInputSchema(
    z.object({
      action: z.enum(['exec', 'view']),
      name: z.string().describe('Pad name.'),
      seconds: z.int().optional(),
      packages: z.array(z.string()).optional(),
      fields: z.record(z.string(), z.unknown()).optional(),
      entries: z.array(z.object({ text: z.string(), topic: z.string().optional() })).optional(),
    }),
  );
  assert.deepEqual(schema, {
    type: 'object',
    properties: {
      action: { type: 'string', enum: ['exec', 'view'] },
      name: { type: 'string', description: 'Pad name.' },
      seconds: { type: 'integer' },
      packages: { type: 'array', items: { type: 'string' } },
      fields: { type: 'object' },
      entries: { type: 'array', items: { type: 'object', properties: { text: { type: 'string' }, topic: { type: 'string' } }, required: ['text'] } },
    },
    required: ['action', 'name'],
  });
});

test('a strict tool input schema forbids extra keys; an empty one takes none', () => {
  assert.deepEqual(toolInputSchema(z.strictObject({})), { type: 'object', properties: {}, additionalProperties: false });
  assert.deepEqual(toolInputSchema(z.object({})), { type: 'object', properties: {} });
});
