// Baseline: a bare Fastify server (same version as the real one) answering /health with the same body and one
// /v1 route. What the framework alone costs in start-up time, memory and per-request CPU.
// Usage: node bench/baselines/fastify.mjs  (PORT env)  → prints {"port":…}
import Fastify from 'fastify';
import { healthBody } from './payloads.mjs';

const app = Fastify({ logger: false });
app.get('/health', async () => healthBody([]));
app.get('/v1/projects', async () => ({ projects: [{ name: 'general' }] }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(JSON.stringify({ port: app.server.address().port }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
