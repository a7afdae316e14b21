import type { Actor } from '../policy/actor.ts';
import { mayEver } from '../policy/authorize.ts';

/** Menu-level abilities for the console, computed from the same policies the server enforces. */
export const abilitiesOf = (actor: Actor) => ({
  viewMap: mayEver(actor, 'region', 'read'),
  viewResidents: mayEver(actor, 'resident', 'read'),
  viewPartyMembers: mayEver(actor, 'party_member', 'read'),
  viewUnits: mayEver(actor, 'unit', 'read'),
  viewPartyOrganizations: mayEver(actor, 'party_organization', 'read'),
  importData: mayEver(actor, 'import', 'create'),
  manageUsers: mayEver(actor, 'user', 'create'),
  readUsers: mayEver(actor, 'user', 'read'),
  assignRoles: mayEver(actor, 'role_assignment', 'create'),
  unlockUsers: mayEver(actor, 'user', 'unlock'),
  readAudit: mayEver(actor, 'audit', 'read'),
  readCases: mayEver(actor, 'case', 'read'),
  dispatchCases: mayEver(actor, 'case', 'dispatch'),
  createCases: mayEver(actor, 'case', 'create'),
  handleCases: mayEver(actor, 'case', 'handle'),
  viewStreetCases: mayEver(actor, 'case', 'supervise'),
  answerSummonses: mayEver(actor, 'case', 'answer_summons'),
  viewCommandCentre: mayEver(actor, 'metrics', 'read'),
  configureMetrics: mayEver(actor, 'metrics', 'configure'),
  importCaseHistory: mayEver(actor, 'case_history', 'import'),
});
