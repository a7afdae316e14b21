import { bigint, bigserial, timestamp } from 'drizzle-orm/pg-core';

/** Every table carries the city it belongs to: the future distribution column (docs/scaling.md). */
export const cityId = () => bigint('city_id', { mode: 'number' }).notNull();
export const id = () => bigserial('id', { mode: 'number' }).primaryKey();
export const ref = (name: string) => bigint(name, { mode: 'number' });
export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
