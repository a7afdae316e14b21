import { Type } from 'typebox';

export const MyTasksQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** The lifecycle actions the grid worker app offers (each goes through POST /api/v1/cases/:id/actions). */
export const workerActions = ['record_contact', 'reply', 'escalate', 'request_extension'] as const;
export type WorkerAction = (typeof workerActions)[number];
