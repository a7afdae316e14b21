import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';

/** Demo records of this module in the demo community (called by src/modules/demo/seed-community.ts). */
export async function seedVolunteersDemo(_context: AppContext, _tx: Executor, _demo: DemoCommunity): Promise<void> {}
