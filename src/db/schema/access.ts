import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, boolean, index, uniqueIndex, check, jsonb, bigint, smallint } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt, updatedAt } from './columns.ts';

export const users = pgTable(
  'users',
  {
    id: id(),
    cityId: cityId(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    phone: text('phone'),
    passwordHash: text('password_hash').notNull(),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    /** Encrypted TOTP secret; `totp_enabled` only once the user proved a code from it. */
    totpSecretEncrypted: text('totp_secret_encrypted'),
    totpEnabled: boolean('totp_enabled').notNull().default(false),
    /** A new secret being set up; it replaces the active one only when a code from it is confirmed. */
    totpPendingSecretEncrypted: text('totp_pending_secret_encrypted'),
    /** Last accepted TOTP time step, so a code cannot be replayed. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /** A user who is a party member (党员) acts as that member: claims posts, takes service orders, reads notices. */
    partyMemberId: ref('party_member_id'),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_username_uq').on(sql`lower(${t.username})`), uniqueIndex('users_party_member_uq').on(t.partyMemberId)],
);

export const roles = [
  'grid_worker',
  'grid_head',
  'building_head',
  'household_link_head',
  'dispatcher',
  'street_officer',
  'department_staff',
  'district_admin',
  'city_admin',
  /** The organisation department (组织部): reads the command centre for the whole city. */
  'organization_officer',
  /**
   * A party member with an account: placed in each community they have reported to (双报到) by a grant
   * derived from the active registration, and at their own organisation's node by their assignment.
   */
  'party_member',
  /** A unit's liaison (单位联络员): acts for its unit (`unit_id`), e.g. a resident unit or a partner shop. */
  'unit_contact',
  'system_admin',
  'security_admin',
  'audit_admin',
] as const;
export type Role = (typeof roles)[number];

/** A role held on one node of the region tree (or one department for department staff). */
export const roleAssignments = pgTable(
  'role_assignments',
  {
    id: id(),
    cityId: cityId(),
    userId: ref('user_id').notNull(),
    role: text('role', { enum: roles }).notNull(),
    regionNodeId: ref('region_node_id'),
    unitId: ref('unit_id'),
    createdBy: ref('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('role_assignments_user_idx').on(t.userId),
    index('role_assignments_region_idx').on(t.regionNodeId, t.role),
    uniqueIndex('role_assignments_uq').on(t.userId, t.role, sql`coalesce(${t.regionNodeId}, 0)`, sql`coalesce(${t.unitId}, 0)`),
    check('role_assignments_scope_ck', sql`(${t.role} in ('department_staff','unit_contact')) = (${t.unitId} is not null)`),
  ],
);

/** Server-side sessions; the cookie holds a random token and only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    cityId: cityId(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: ref('user_id').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Append-only, hash-chained audit log. A trigger refuses UPDATE/DELETE/TRUNCATE, and each row's hash
 * covers the previous row's hash, so `civicgrid audit verify` finds any edit or deletion.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    cityId: cityId(),
    at: timestamp('at', { withTimezone: true, mode: 'string', precision: 6 }).notNull(),
    actorUserId: ref('actor_user_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    outcome: text('outcome', { enum: ['success', 'failure'] }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    details: jsonb('details'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** Which of the city's parallel chains (audit_chain_heads) the record extends: writers of one city need not queue on one lock. */
    stripe: smallint('stripe').notNull().default(0),
  },
  (t) => [index('audit_log_city_at_idx').on(t.cityId, t.at), index('audit_log_actor_idx').on(t.actorUserId), index('audit_log_chain_idx').on(t.cityId, t.stripe, t.id)],
);

export const importJobs = pgTable('import_jobs', {
  id: id(),
  cityId: cityId(),
  kind: text('kind').notNull(),
  fileName: text('file_name'),
  status: text('status', { enum: ['queued', 'validating', 'importing', 'succeeded', 'failed'] }).notNull().default('queued'),
  total: integer('total').notNull().default(0),
  processed: integer('processed').notNull().default(0),
  errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
  summary: jsonb('summary'),
  createdBy: ref('created_by'),
  createdAt: createdAt(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
});
