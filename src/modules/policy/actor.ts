import type { Role, RegionLevel } from '../../db/schema/index.ts';

/** One role a user holds, resolved to the place in the region tree (or the department) it covers. */
export interface RoleGrant {
  /** The role assignment's id, or the dual registration's id for a derived grant. */
  id: number;
  /** 'dual_registration': derived from an active 双报到 registration, not an assignment one can delete. */
  source: 'assignment' | 'dual_registration';
  role: Role;
  regionNodeId: number | null;
  /** Materialised path of the scope node (`/1/5/23/`); null for department staff. */
  regionPath: string | null;
  regionLevel: RegionLevel | null;
  regionName: string | null;
  unitId: number | null;
  unitName: string | null;
}

/** Who is making a request: resolved once per request from the session. */
export interface Actor {
  userId: number;
  cityId: number;
  username: string;
  displayName: string;
  grants: RoleGrant[];
  /** The party member this user is (users.party_member_id), if any. */
  partyMemberId: number | null;
  ip: string | null;
  userAgent: string | null;
}

/** A record as the policies see it: the city it belongs to and where it sits. */
export interface ScopedRecord {
  cityId: number;
  /** Region path of the record (a node's own path, or the path of the node it hangs under). */
  regionPath?: string | null;
  /** For records that belong to a unit (departments). */
  unitId?: number | null;
  /** For records several departments work on (a case summoned to them). */
  unitIds?: readonly number[];
  /** For records given to particular users (a case's open tasks). */
  assigneeUserIds?: readonly number[];
}
