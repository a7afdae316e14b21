import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    totpCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const TotpConfirmBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });

const Grant = Type.Object({
  id: Type.Integer(),
  /** 'dual_registration': derived from an active 双报到 registration (id is the registration's). */
  source: Type.Union([Type.Literal('assignment'), Type.Literal('dual_registration')]),
  role: Type.String(),
  regionNodeId: Type.Union([Type.Integer(), Type.Null()]),
  regionName: Type.Union([Type.String(), Type.Null()]),
  regionLevel: Type.Union([Type.String(), Type.Null()]),
  unitId: Type.Union([Type.Integer(), Type.Null()]),
  unitName: Type.Union([Type.String(), Type.Null()]),
});

export const Me = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  cityId: Type.Integer(),
  cityName: Type.String(),
  roles: Type.Array(Grant),
  /** The party member this account belongs to, if any. */
  partyMemberId: Type.Union([Type.Integer(), Type.Null()]),
  abilities: Type.Record(Type.String(), Type.Boolean()),
  mfa: Type.Object({ required: Type.Boolean(), enrolled: Type.Boolean() }),
});
