/** Probes and metrics. */
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, boolean>;
}

export interface OpsRouteDeps {
  readonly metrics: Metrics;
  readonly readiness: () => Promise<ReadinessReport>;
}

export const opsRoutes: FastifyPluginAsync<OpsRouteDeps> = async (app, deps) => {
  app.get('/health', { schema: { tags: ['ops'] } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags: ['ops'] } }, async (_request, reply) => {
    const report = await deps.readiness();
    return reply.status(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', { schema: { tags: ['ops'], hide: true } }, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
};
