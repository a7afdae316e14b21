import { Type } from 'typebox';

const text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });
const satisfaction = Type.Union([Type.Literal('satisfied'), Type.Literal('basically_satisfied'), Type.Literal('dissatisfied')]);

const place = {
  cityCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
  placeCode: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
  address: Type.Optional(Type.String({ maxLength: 200 })),
};
const report = {
  categoryCode: Type.String({ pattern: '^[a-z_]{1,40}$' }),
  title: Type.Optional(Type.String({ maxLength: 60 })),
  description: Type.String({ minLength: 2, maxLength: 2000 }),
  reporterName: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  reporterPhone: Type.Optional(Type.String({ pattern: '^1[3-9][0-9]{9}$' })),
  consent: Type.Optional(Type.Boolean()),
  /** Upload tokens from POST /api/v1/public/photos (or /api/v1/photos for staff), at most 6. */
  photoTokens: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }), { maxItems: 6 })),
};

export const PublicReportBody = Type.Object({ ...place, ...report }, { additionalProperties: false });
export const StaffReportBody = Type.Object(
  { ...place, ...report, channel: Type.Union([Type.Literal('grid_worker'), Type.Literal('hotline')]) },
  { additionalProperties: false },
);

const common = { note: Type.Optional(Type.String({ maxLength: 2000 })), attachments: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }), { maxItems: 6 })) };
const action = <N extends string>(name: N, fields: Record<string, import('typebox').TSchema> = {}) =>
  Type.Object({ action: Type.Literal(name), ...fields, ...common }, { additionalProperties: false });

export const CaseActionBody = Type.Union([
  action('dispatch', {
    /** One task per grid worker; without tasks the case's grid gets one task for its suggested grid worker. */
    tasks: Type.Optional(
      Type.Array(
        Type.Object(
          { gridId: Type.Optional(id), assigneeUserId: Type.Optional(id), instructions: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 10 },
      ),
    ),
  }),
  action('reclassify', { color: Type.Union([Type.Literal('red'), Type.Literal('orange'), Type.Literal('yellow'), Type.Literal('green')]), reason: text(200) }),
  action('decline', { reason: text(200) }),
  action('merge', { intoCaseId: id }),
  action('record_contact'),
  action('escalate'),
  action('summon', { departmentIds: Type.Array(id, { minItems: 1, maxItems: 20 }) }),
  action('report_in', { departmentId: id }),
  action('department_reply', { departmentId: id }),
  action('department_return', { departmentId: id, reason: text(200) }),
  action('return', { reason: text(200) }),
  action('request_extension'),
  action('decide_extension', { approved: Type.Boolean() }),
  action('supervise'),
  action('claim', { partyOrganizationId: id }),
  action('reply'),
  action('callback'),
  action('reopen'),
  action('close', { partyOrganizationId: Type.Optional(id) }),
]);

export const RatingBody = Type.Object(
  { resolved: Type.Boolean(), satisfaction, comment: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const CaseListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ pattern: '^[a-z_]{1,20}$' })),
    color: Type.Optional(Type.Union([Type.Literal('red'), Type.Literal('orange'), Type.Literal('yellow'), Type.Literal('green')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) });
export const CityParams = Type.Object({ cityCode: Type.String({ pattern: '^[0-9]{12}$' }) });
