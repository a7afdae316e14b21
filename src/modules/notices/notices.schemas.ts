import { Type } from 'typebox';
import { noticeKinds } from '../../db/schema/index.ts';
import { exportQuery, listQuery } from '../community/list-query.ts';
import { meetingActions, noticeActions } from './notices-lifecycle.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });
const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });

export const meetingKinds = ['community_council', 'building_council'] as const;

export const NoticeQuery = listQuery({ kind: Type.Optional(literals(noticeKinds)) });
export const NoticeExportQuery = exportQuery({ kind: Type.Optional(literals(noticeKinds)) });

export const CreateNoticeBody = Type.Object(
  {
    kind: literals(noticeKinds),
    /** The community (or street, district, city) that publishes. */
    regionId: Id,
    /** Organisation-life notices: the party organisation whose members (and its sub-organisations') are told. */
    partyOrganizationId: Type.Optional(Id),
    title: text(100, 1),
    body: text(10000, 1),
    eventAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** Publish at once instead of saving a draft. */
    publish: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const NoticeActionBody = Type.Object({ action: literals(noticeActions) }, { additionalProperties: false });

export const MeetingQuery = listQuery({ kind: Type.Optional(literals(meetingKinds)) });
export const MeetingExportQuery = exportQuery({ kind: Type.Optional(literals(meetingKinds)) });

export const CreateMeetingBody = Type.Object(
  {
    kind: literals(meetingKinds),
    /** A community for a community council, a building for a building council. */
    regionId: Id,
    title: text(100, 1),
    heldAt: Type.String({ format: 'date-time' }),
    location: Type.Optional(text(100)),
  },
  { additionalProperties: false },
);
export const MeetingActionBody = Type.Object(
  { action: literals(meetingActions), participants: Type.Optional(text(2000)), summary: Type.Optional(text(5000)) },
  { additionalProperties: false },
);
export const CreateProposalBody = Type.Object(
  { title: text(100, 1), description: Type.Optional(text(2000)), proposerName: Type.Optional(text(50)) },
  { additionalProperties: false },
);
const Votes = Type.Integer({ minimum: 0, maximum: 1000000 });
export const DecideProposalBody = Type.Object(
  {
    decision: literals(['pending', 'adopted', 'rejected', 'deferred'] as const),
    votesFor: Type.Optional(Votes),
    votesAgainst: Type.Optional(Votes),
    votesAbstain: Type.Optional(Votes),
    decisionNote: Type.Optional(text(2000)),
    publicResult: Type.Optional(text(2000)),
  },
  { additionalProperties: false },
);
