import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';

const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });
const id = () => Type.Integer({ minimum: 1, maximum: 9007199254740991 });

export const TeamBody = Type.Object(
  { regionId: id(), name: text(60, 1), kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,30}$', description: 'general, running (红色跑团), mediation, patrol …' })), description: Type.Optional(text(1000)), leaderName: Type.Optional(text(30)) },
  { additionalProperties: false },
);
const teamFilters = { kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,30}$' })) };
export const TeamQuery = listQuery(teamFilters);
export const TeamExportQuery = exportQuery(teamFilters);
export const TeamMemberBody = Type.Object({ volunteerId: id() }, { additionalProperties: false });

export const VolunteerBody = Type.Object(
  {
    regionId: id(),
    name: text(30, 1),
    phone: Type.Optional(Type.String({ pattern: '^[0-9+\\- ]{5,20}$' })),
    residentId: Type.Optional(id()),
    partyMemberId: Type.Optional(id()),
    skills: Type.Optional(text(200)),
    teamIds: Type.Optional(Type.Array(id(), { maxItems: 20, uniqueItems: true })),
  },
  { additionalProperties: false },
);
const volunteerFilters = { teamId: Type.Optional(id()) };
export const VolunteerQuery = listQuery(volunteerFilters);
export const VolunteerExportQuery = exportQuery(volunteerFilters);
export const RecordQuery = Type.Object(
  { from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);

export const ActivityBody = Type.Object(
  {
    regionId: id(),
    teamId: Type.Optional(id()),
    title: text(100, 1),
    description: Type.Optional(text(2000)),
    location: Type.Optional(text(100)),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    hours: Type.Number({ exclusiveMinimum: 0, maximum: 24, description: 'Hours credited to each volunteer checked in' }),
  },
  { additionalProperties: false },
);
const activityFilters = { teamId: Type.Optional(id()) };
export const ActivityQuery = listQuery(activityFilters);
export const ActivityExportQuery = exportQuery(activityFilters);
/** Staff name the volunteer; a party member signs up themselves (empty body). unitId: the resident unit served for. */
export const SignupBody = Type.Object({ volunteerId: Type.Optional(id()), unitId: Type.Optional(id()) }, { additionalProperties: false });
