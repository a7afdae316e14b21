import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';

const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$' });
const id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });

export const AllianceQuery = listQuery({});
export const AllianceExportQuery = exportQuery({});

export const CreateAllianceBody = Type.Object(
  {
    regionId: id,
    name: text(100, 1),
    description: Type.Optional(text(2000)),
  },
  { additionalProperties: false },
);

export const AddMemberBody = Type.Object(
  {
    unitId: Type.Optional(id),
    partyOrganizationId: Type.Optional(id),
    roleLabel: Type.Optional(text(50)),
  },
  { additionalProperties: false },
);

const meetingFilters = {
  allianceId: Type.Optional(id),
};
export const MeetingQuery = listQuery(meetingFilters);
export const MeetingExportQuery = exportQuery(meetingFilters);

export const CreateMeetingBody = Type.Object(
  {
    allianceId: id,
    title: text(200, 1),
    heldAt: Type.String({ format: 'date-time' }),
    location: Type.Optional(text(200)),
    agenda: Type.Optional(text(5000)),
    /** Invited members (alliance_members ids); all members when absent. */
    memberIds: Type.Optional(Type.Array(id, { maxItems: 200, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const UpdateMeetingBody = Type.Object(
  {
    title: Type.Optional(text(200, 1)),
    heldAt: Type.Optional(Type.String({ format: 'date-time' })),
    location: Type.Optional(text(200)),
    agenda: Type.Optional(text(5000)),
    minutes: Type.Optional(text(20000, 1)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const HoldMeetingBody = Type.Object(
  {
    minutes: text(20000, 1),
    /** Attendee ids (joint_meeting_attendees) who came; every other invitee was absent. */
    attendedIds: Type.Array(id, { maxItems: 200, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const CancelMeetingBody = Type.Object({ reason: text(500, 1) }, { additionalProperties: false });

export const CreateItemBody = Type.Object(
  {
    title: text(200, 1),
    description: Type.Optional(text(5000)),
    leadUnitId: Type.Optional(id),
    dueOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

const itemFilters = {
  meetingId: Type.Optional(id),
  leadUnitId: Type.Optional(id),
  overdue: Type.Optional(Type.Boolean()),
};
export const ItemQuery = listQuery(itemFilters);
export const ItemExportQuery = exportQuery(itemFilters);
export const SummaryQuery = Type.Object({ regionId: Type.Optional(id) }, { additionalProperties: false });

export const ItemActionBody = Type.Object(
  {
    action: Type.Union([Type.Literal('start'), Type.Literal('report_progress'), Type.Literal('complete'), Type.Literal('drop')]),
    note: Type.Optional(text(2000, 1)),
    expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
  },
  { additionalProperties: false },
);
