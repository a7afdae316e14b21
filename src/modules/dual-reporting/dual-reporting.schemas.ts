import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';

const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });
const date = (description: string) => Type.String({ format: 'date', description });
const id = () => Type.Integer({ minimum: 1, maximum: 9007199254740991 });
/** Hours of one session: more than 0, at most 24, in steps of 0.01. */
export const Hours = Type.Number({ exclusiveMinimum: 0, maximum: 24, description: 'Hours served (0 < h ≤ 24)' });

export const RegistrationBody = Type.Object(
  {
    communityId: id(),
    kind: Type.Union([Type.Literal('member'), Type.Literal('organization')]),
    partyMemberId: Type.Optional(id()),
    unitId: Type.Optional(id()),
    basis: Type.Union([Type.Literal('work'), Type.Literal('residence')]),
  },
  { additionalProperties: false },
);
export const EndRegistrationBody = Type.Object({ endedOn: date('The day the registration ended (YYYY-MM-DD, not in the future, not before it began)') }, { additionalProperties: false });

const registrationFilters = { kind: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('organization')])) };
export const RegistrationQuery = listQuery(registrationFilters);
export const RegistrationExportQuery = exportQuery(registrationFilters);

export const PostBody = Type.Object(
  {
    communityId: id(),
    title: text(100, 1),
    description: Type.Optional(text(2000)),
    category: Type.Optional(text(40)),
    slots: Type.Integer({ minimum: 1, maximum: 1000 }),
    startsOn: Type.Optional(date('First day of the post')),
    endsOn: Type.Optional(date('Last day of the post')),
  },
  { additionalProperties: false },
);
const postFilters = { category: Type.Optional(text(40)) };
export const PostQuery = listQuery(postFilters);
export const PostExportQuery = exportQuery(postFilters);

/** Empty for a party member claiming for themselves; a unit contact names the organisation it claims for. */
export const ClaimBody = Type.Object({ unitId: Type.Optional(id()) }, { additionalProperties: false });
const claimFilters = { postId: Type.Optional(id()), mine: Type.Optional(Type.Boolean()) };
export const ClaimQuery = listQuery(claimFilters);
export const ClaimExportQuery = exportQuery(claimFilters);

export const HoursBody = Type.Object({ servedOn: date('Day served (YYYY-MM-DD, not in the future)'), hours: Hours, description: Type.Optional(text(500)) }, { additionalProperties: false });
export const CorrectHoursBody = Type.Object(
  { servedOn: Type.Optional(date('Corrected day')), hours: Type.Optional(Hours), description: Type.Optional(text(500)), reason: text(200, 1) },
  { additionalProperties: false },
);
const hoursFilters = { partyMemberId: Type.Optional(id()), unitId: Type.Optional(id()), postId: Type.Optional(id()) };
export const HoursQuery = listQuery(hoursFilters);
export const HoursExportQuery = exportQuery(hoursFilters);

const period = {
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'Year of the period (default: this year)' })),
  quarter: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'Quarter; without it the whole year' })),
};
const ledgerFilters = { ...period, kind: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('organization')])) };
export const LedgerQuery = listQuery(ledgerFilters);
export const LedgerExportQuery = exportQuery(ledgerFilters);
export const EntriesQuery = Type.Object(period, { additionalProperties: false });

export const ReminderQuery = listQuery({});
export const ReminderBody = Type.Object({ regionId: id() }, { additionalProperties: false });
