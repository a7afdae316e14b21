import { Type } from 'typebox';

/**
 * Open311 arguments. Clients send extra fields the spec allows (device_id, account_id, attribute[…],
 * extensions), so unknown properties are ignored rather than refused; the known ones are bounded here
 * and checked for meaning in open311.service.ts.
 */
const text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
/** Form fields are text; JSON clients may send coordinates as numbers. */
const coordinate = Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number()]));

export const JurisdictionQuery = Type.Object({ jurisdiction_id: text(64) }, { additionalProperties: true });

export const RequestsQuery = Type.Object(
  {
    jurisdiction_id: text(64),
    service_request_id: text(20_000),
    service_code: text(2_000),
    start_date: text(40),
    end_date: text(40),
    status: text(40),
  },
  { additionalProperties: true },
);

export const PostQuery = Type.Object({ jurisdiction_id: text(64), api_key: text(200) }, { additionalProperties: true });

export const PostRequestBody = Type.Object(
  {
    api_key: text(200),
    jurisdiction_id: text(64),
    service_code: text(64),
    lat: coordinate,
    long: coordinate,
    address_string: text(200),
    address_id: text(64),
    email: text(200),
    device_id: text(200),
    account_id: text(200),
    first_name: text(40),
    last_name: text(40),
    phone: text(32),
    description: text(4000),
    media_url: text(2000),
  },
  { additionalProperties: true },
);

export const SegmentParams = Type.Object({ '*': Type.String({ maxLength: 200 }) });
