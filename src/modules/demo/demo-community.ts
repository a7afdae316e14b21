/** The demo community every community-service module seeds its demo records into (seed-community.ts). */
export interface DemoNode {
  id: number;
  path: string;
  name: string;
  code: string;
}

export interface DemoCommunity {
  cityId: number;
  city: DemoNode;
  street: DemoNode;
  /** The dispatcher's community (社区), where the demo accounts below work. */
  community: DemoNode;
  /** A second community of the same street, for records outside the dispatcher's reach. */
  otherCommunity: DemoNode;
  grids: DemoNode[];
  /** Buildings of the community (code = the QR place code). */
  buildings: DemoNode[];
  /** Residents of the community with their household and path (names and phones are demo data). */
  residents: Array<{ id: number; name: string; phone: string | null; householdId: number; path: string }>;
  /** Party members of the community's organisations; the first is `partymember`'s. */
  partyMemberIds: number[];
  /** Resident units (驻区单位) in the community; the first is `unitcontact`'s. */
  residentUnitIds: number[];
  /** An agency (机关) reported to the community (双报到 of its party organisation). */
  agencyUnitId: number;
  /** A partner shop (红城星店) of the community; `shopclerk` is its liaison. */
  shopUnitId: number;
  users: {
    dispatcher: number;
    gridworker: number;
    gridhead: number;
    buildinghead: number;
    street: number;
    partymember: number;
    unitcontact: number;
    shopclerk: number;
  };
}
