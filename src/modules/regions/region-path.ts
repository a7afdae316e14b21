/** Materialised region paths: `/cityId/districtId/…/ownId/`. A subtree is every path with this prefix. */
export const childPath = (parentPath: string | null, id: number) => `${parentPath ?? '/'}${id}/`;
export const idsOfPath = (path: string) => path.split('/').filter(Boolean).map(Number);
export const isWithin = (path: string, ancestorPath: string) => path.startsWith(ancestorPath);
