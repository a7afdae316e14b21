import type { Role } from '../../db/schema/index.ts';

/**
 * Declarative policies: for each resource and action, which roles may act and how far their reach goes.
 * - `within`: the record lies in the subtree of the role's node (its path starts with the role's path).
 * - `ownUnit`: department staff acting on records of their own department.
 * - `cityWide`: the role acts on any record of its own city (the three separated administrators).
 * - `assigned`: the record was given to the user (a case task), wherever they work.
 * Nothing here is re-implemented in the UI: it receives abilities computed from these tables.
 */
export interface Rule {
  within?: readonly Role[];
  ownUnit?: readonly Role[];
  cityWide?: readonly Role[];
  /** The record was given to this user (a grid worker's task on a case in a neighbouring grid). */
  assigned?: readonly Role[];
}

const fieldRoles = ['grid_worker', 'grid_head', 'building_head', 'household_link_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'] as const;
const gridAndUp = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'] as const;
const handlers = ['grid_worker', 'grid_head', 'dispatcher', 'street_officer'] as const;
const regionAdmins = ['district_admin', 'city_admin'] as const;
/** The community (社区书记) and the levels above it run community services. */
const communityManagers = ['dispatcher', 'street_officer', 'district_admin', 'city_admin'] as const;

export const policies = {
  region: {
    /** The organisation department sees the city's tree and grids (the command centre's map), not its people. */
    read: { within: [...fieldRoles, 'organization_officer'] },
    update: { within: regionAdmins },
  },
  household: {
    read: { within: fieldRoles },
  },
  resident: {
    read: { within: fieldRoles },
    /** Unmasked personal data: the people who must phone or visit, within their area. Audited every time. */
    reveal: { within: handlers },
  },
  party_member: {
    read: { within: gridAndUp },
    reveal: { within: handlers },
  },
  party_organization: {
    read: { within: fieldRoles },
  },
  unit: {
    read: { within: gridAndUp, ownUnit: ['department_staff'] },
  },
  /** Departments serve the whole city: every handler may see them (as dispatch targets); staff see their own. */
  department: {
    read: { cityWide: gridAndUp, ownUnit: ['department_staff'] },
  },
  /** Resident requests: everyone in the area sees them; summoned departments see theirs. */
  case: {
    /** The organisation department reads cases too: the command centre's figures open onto them. */
    read: { within: [...fieldRoles, 'organization_officer'], ownUnit: ['department_staff'], assigned: ['grid_worker', 'grid_head'] },
    create: { within: ['grid_worker', 'grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin'] },
    /** Accept, split, merge, decline, close and reopen: the community dispatcher (接线员) and above. */
    dispatch: { within: ['dispatcher', 'street_officer', 'district_admin', 'city_admin'] },
    /** Contact, handle, escalate, reply, ask for more time, claim: whoever works the case in the area. */
    handle: { within: ['grid_worker', 'grid_head', 'dispatcher', 'street_officer'], assigned: ['grid_worker', 'grid_head'] },
    /** Summon departments, approve extensions, supervise: the street and above. */
    supervise: { within: ['street_officer', 'district_admin', 'city_admin'] },
    /** Report in, reply or return a summons: the summoned department's staff. */
    answer_summons: { ownUnit: ['department_staff'] },
  },
  import: {
    create: { within: regionAdmins },
  },
  /**
   * The command centre (指挥平台): figures of region nodes in the role's area, or of one's own department,
   * and the cases behind them. Grid workers see their grid's figures on the phone, not here.
   */
  metrics: {
    read: { within: ['grid_head', 'dispatcher', 'street_officer', 'district_admin', 'city_admin', 'organization_officer'], ownUnit: ['department_staff'] },
    /** Rate definitions and composite weights per city. */
    configure: { within: ['city_admin'] },
  },
  /** Past cases from another hotline system (历史工单导入). */
  case_history: {
    import: { within: regionAdmins },
  },
  // ── Community services and co-building (docs/community-services.md) ──────────────────────────────
  /** 三张清单: needs, the quarterly problem list, the service list. */
  community_list: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'], cityWide: ['department_staff'] },
    /** Post a need: the community, grid workers recording a resident's need, a resident unit for itself. */
    post: { within: [...communityManagers, 'grid_worker', 'grid_head', 'unit_contact'] },
    /** Compile the quarterly problem list, publish service items, close or withdraw items. */
    manage: { within: communityManagers },
    /** Departments claim service items city-wide; units and reported party members in their communities. */
    claim: { within: ['party_member', 'unit_contact'], cityWide: ['department_staff'] },
  },
  /** The service catalogue (服务事项清单). */
  service_catalogue: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'] },
    manage: { within: communityManagers },
  },
  /** 群众点单、社区派单、党员接单. Residents order and confirm on a tracking token, without an account. */
  service_order: {
    read: { within: [...fieldRoles, 'organization_officer'], assigned: ['party_member'] },
    dispatch: { within: communityManagers },
    /** Accept, decline and complete: the party member the order was dispatched to. */
    serve: { assigned: ['party_member'] },
  },
  /** 微心愿: the wall is open to everyone placed in the community; claims by party members and units there. */
  micro_wish: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'] },
    post: { within: [...communityManagers, 'grid_worker', 'grid_head', 'building_head'] },
    claim: { within: ['party_member', 'unit_contact'] },
    manage: { within: communityManagers },
  },
  /** 双报到: registrations, posts (岗位), claims and the hours ledger (台账). */
  dual_reporting: {
    read: { within: [...communityManagers, 'organization_officer', 'party_member', 'unit_contact'] },
    register: { within: communityManagers },
    manage: { within: communityManagers },
    /** Only members and organisations reported to the post's community: the derived grant is on its path. */
    claim_post: { within: ['party_member', 'unit_contact'] },
    log_hours: { within: ['party_member', 'unit_contact', ...communityManagers] },
  },
  volunteer: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member'] },
    manage: { within: communityManagers },
    sign_up: { within: ['party_member'] },
  },
  /** 量化积分管理 of resident units. */
  unit_points: {
    read: { within: [...communityManagers, 'organization_officer'], ownUnit: ['unit_contact'] },
    configure: { within: communityManagers },
  },
  shared_resource: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'] },
    manage: { within: communityManagers },
    /** The owner unit approves bookings of its own resource. */
    approve: { within: communityManagers, ownUnit: ['unit_contact'] },
    book: { within: ['unit_contact', ...communityManagers] },
  },
  /** 区域化党建联盟, 联席会议 and 共驻共建事项. */
  joint_meeting: {
    read: { within: [...communityManagers, 'organization_officer', 'unit_contact', 'party_member'] },
    manage: { within: communityManagers },
    /** The lead unit reports progress on its co-building item. */
    report_progress: { within: communityManagers, ownUnit: ['unit_contact'] },
  },
  /** Building heads' points, partner shops (红城星店), one-time codes, 最美楼栋 and the red flag. */
  incentive: {
    read: { within: [...communityManagers, 'organization_officer', 'building_head'] },
    manage: { within: communityManagers },
    redeem: { within: ['building_head'] },
    /** The partner shop's liaison verifies a code at the counter. */
    verify_code: { ownUnit: ['unit_contact'] },
  },
  /** Home visits, the dispute register and care lists. */
  grid_work: {
    read: { within: [...gridAndUp, 'organization_officer'] },
    record: { within: ['grid_worker', 'grid_head', 'dispatcher'] },
    manage: { within: ['grid_head', 'dispatcher', 'street_officer'] },
  },
  /** Organisation-life notices, policies, party-affairs and residents'-affairs disclosure. */
  notice: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'] },
    publish: { within: communityManagers },
  },
  /** 议事会 and 楼栋共治会: the building head runs the building's own. */
  deliberation: {
    read: { within: [...fieldRoles, 'organization_officer', 'party_member', 'unit_contact'] },
    manage: { within: [...communityManagers, 'building_head'] },
  },
  user: {
    read: { cityWide: ['system_admin', 'security_admin'] },
    create: { cityWide: ['system_admin'] },
    update: { cityWide: ['system_admin'] },
    unlock: { cityWide: ['security_admin'] },
  },
  role_assignment: {
    create: { cityWide: ['security_admin'] },
    delete: { cityWide: ['security_admin'] },
  },
  audit: {
    read: { cityWide: ['audit_admin'] },
    verify: { cityWide: ['audit_admin'] },
  },
} as const satisfies Record<string, Record<string, Rule>>;

export type Resource = keyof typeof policies;
export type Action<R extends Resource> = keyof (typeof policies)[R] & string;

/** The three separated administrators (等保 level 3): no user may hold two of them. */
export const separatedAdministratorRoles: readonly Role[] = ['system_admin', 'security_admin', 'audit_admin'];
/** Roles that must pass a TOTP second factor. */
export const administratorRoles: readonly Role[] = ['system_admin', 'security_admin', 'audit_admin', 'city_admin', 'district_admin'];

/** Which level of node each role is scoped to (null: the city, for the separated administrators). */
/**
 * Which level of node each role is scoped to. 'unit': a unit's liaison, at the unit's node. 'registration': a
 * party member's account holds no node of its own; its active 双报到 registrations place it (derived grants).
 */
export const roleScopeLevel: Record<Role, 'grid' | 'building' | 'community' | 'street' | 'district' | 'city' | 'department' | 'unit' | 'registration'> = {
  grid_worker: 'grid',
  grid_head: 'grid',
  building_head: 'building',
  household_link_head: 'building',
  dispatcher: 'community',
  street_officer: 'street',
  department_staff: 'department',
  district_admin: 'district',
  city_admin: 'city',
  organization_officer: 'city',
  party_member: 'registration',
  unit_contact: 'unit',
  system_admin: 'city',
  security_admin: 'city',
  audit_admin: 'city',
};
