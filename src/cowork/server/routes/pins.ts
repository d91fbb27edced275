import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import { PIN_TYPES, type PinType } from '../stores/pins.js';
import { routeGroup } from './types.js';
import { recordTombstone } from '../services/import-ledger.js';

const isPinType = (t: string): t is PinType => (PIN_TYPES as readonly string[]).includes(t);

export const pinRoutes = routeGroup(['db', 'pins'], (app, ctx) => {
  const pins = ctx.pins;

  app.get('/v1/pins', { schema: { tags: ['pins'] } }, async () => ({ pins: pins.list() }));

  app.post(
    '/v1/pins',
    { schema: { tags: ['pins'], body: z.object({ item_type: z.string().default('task'), item_id: z.string().min(1), title: z.string().nullish() }) } },
    async (req) => {
      if (!isPinType(req.body.item_type)) throw badRequest('Unsupported pin type.');
      const pin = pins.upsert(req.body.item_type, req.body.item_id, req.body.title);
      return { pin, pins: pins.list() };
    },
  );

  app.put('/v1/pins/reorder', { schema: { tags: ['pins'], body: z.object({ item_ids: z.array(z.string()) }) } }, async (req) => ({ pins: pins.reorder(req.body.item_ids) }));

  app.delete(
    '/v1/pins/:item_id',
    { schema: { tags: ['pins'], params: z.object({ item_id: z.string() }), querystring: z.object({ item_type: z.string().default('task') }) } },
    async (req) => {
      if (!pins.delete(req.query.item_type, req.params.item_id)) throw notFound('Pin not found.');
      recordTombstone(ctx.db, 'pin', `${req.query.item_type}:${req.params.item_id}`); // an imported pin stays deleted
      return { ok: true, pins: pins.list() };
    },
  );

  app.post(
    '/v1/pins/:task_id/visit',
    {
      schema: {
        tags: ['pins'],
        params: z.object({ task_id: z.string() }),
        querystring: z.object({ auto_pin: z.enum(['true', 'false', '1', '0']).default('false'), title: z.string().optional() }),
      },
    },
    async (req) => {
      const id = req.params.task_id;
      const visits = pins.visit(id);
      const auto = (req.query.auto_pin === 'true' || req.query.auto_pin === '1') && visits >= 3;
      const pin = auto ? pins.upsert('task', id, req.query.title) : pins.get('task', id);
      return { taskId: id, visits, autoPinned: auto, pin };
    },
  );
});
