export * from './regions.ts';
export * from './party.ts';
export * from './people.ts';
export * from './access.ts';
export * from './cases.ts';
export * from './delivery.ts';
export * from './metrics.ts';
