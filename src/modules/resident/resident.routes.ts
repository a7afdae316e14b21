import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { Place, PlaceParams, PlaceQuery } from './resident.schemas.ts';
import { placeByCode, regionQrCode } from './resident.service.ts';

/** The origin residents reach this server at, as the request that asks for the QR code saw it. */
function requestOrigin(request: FastifyRequest): string {
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(request.host) ? request.host : 'localhost';
  return `${request.protocol === 'https' ? 'https' : 'http'}://${host}`;
}

/** The resident QR pages' server side: the place behind a code, and printable QR codes for staff. */
export function residentRoutes(app: App, context: AppContext) {
  app.get('/api/v1/public/places/:code', {
    schema: { tags: ['resident'], params: PlaceParams, querystring: PlaceQuery, response: { 200: Place }, summary: 'The building or grid behind a QR code (no login, no personal data)' },
  }, async (request) => placeByCode(context, request.params.code, request.query.cityCode));

  app.get('/api/v1/regions/:id/qr.svg', {
    schema: { tags: ['regions'], params: IdParams, summary: 'Printable QR code (SVG) of a building or grid, opening the resident report page /r/<code>' },
  }, async (request, reply) => {
    const { svg, code } = await regionQrCode(context, await authenticate(context, request), request.params.id, requestOrigin(request));
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('Content-Security-Policy', "default-src 'none'")
      .header('Content-Disposition', `inline; filename="qr-${code.replace(/[^0-9A-Za-z_-]/g, '')}.svg"`)
      .send(svg);
  });
}
