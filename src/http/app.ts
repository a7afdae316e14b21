import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import { errorBody } from '../shared/errors.ts';
import { installErrorHandling } from './errors.ts';
import { installIdempotency } from './idempotency.ts';
import { validatorCompiler } from './validation.ts';
import type { App } from './types.ts';
import { routeModules } from './routes.ts';
import { sendOpen311FrameworkError } from '../modules/open311/open311.routes.ts';


export interface BuildAppOptions {
  logger?: boolean | object;
}

export async function buildApp(context: AppContext, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: context.config.bodyLimitBytes,
    trustProxy: context.config.trustProxy,
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (e.g. a malformed URL) get the same body as every other error.
    frameworkErrors: (error, request, reply) =>
      request.url.startsWith('/open311/')
        ? sendOpen311FrameworkError(error, request as never, reply as never)
        : (reply as unknown as FastifyReply).status(400).send(errorBody('bad_request', error.message)),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'CivicGrid API', version: '1', description: 'CivicGrid (网格通) REST API. Errors: `{ "error": { "code", "message", "details" } }`.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'cg_session' } } },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    if (!reply.getHeader('X-Frame-Options')) reply.header('X-Frame-Options', 'DENY');
    return payload;
  });
  // Personal data must not linger in shared caches.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/v1/')) reply.header('Cache-Control', 'no-store');
  });

  app.get('/api/health', { schema: { hide: true } }, async () => ({ ok: true, engine: context.database.engine }));
  app.get('/api/v1/config', { schema: { tags: ['config'] } }, async () => ({
    mapTileUrl: context.config.mapTileUrl,
    mapTileAttribution: context.config.mapTileAttribution,
    demo: context.config.demo,
  }));

  installIdempotency(app, context);
  for (const register of routeModules) register(app, context);

  const webRoot = context.config.webDir;
  const hasWeb = fs.existsSync(path.join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api') || request.method !== 'GET' || !hasWeb) {
      return reply.status(404).send(errorBody('not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
    }
    reply.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
    return reply.type('text/html').sendFile(pageFor(request.url));
  });
  return app;
}

/** Which single-page app serves a browser URL: resident QR pages, the grid worker app, or the staff console. */
export function pageFor(url: string): string {
  const pathname = url.split('?')[0];
  if (/^\/(r|t|s|o|m|mt)(\/|$)/.test(pathname)) return 'resident.html';
  if (/^\/w(\/|$)/.test(pathname)) return 'worker.html';
  return 'index.html';
}
