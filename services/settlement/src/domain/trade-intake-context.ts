/** What the node knows when it judges a platform's DEG trade message: its clock, tenant, registry and held trades. */
export interface TradeIntakeContext {
  /** Node clock, UTC epoch ms. */
  readonly now: number;
  /** This node's DISCOM (tenant). */
  readonly discomId: string;
  /** True when the platform id is a registered trading platform. */
  readonly platform: (platformId: string) => boolean;
  /** The meter's registered DISCOM, or undefined when the registry does not know it. */
  readonly meter: (meterId: string) => { readonly discomId: string } | undefined;
  /** True for a DISCOM this node federates with. */
  readonly peerDiscom?: (discomId: string) => boolean;
  /**
   * True when the signing platform may bind this hosted DISCOM's meter into a trade: it is a
   * platform of that DISCOM and the customer enrolled the meter with it (trading consent).
   * Every meter the registry places here is checked; peer DISCOMs check their own.
   */
  readonly mayBind?: (discomId: string, meterId: string) => boolean;
  /** Digest (tradeDigest) of the trade already held under this id, if any. */
  readonly knownTrade?: (tradeId: string) => string | undefined;
  /** The platform whose signature over the message verified. */
  readonly signerPlatformId?: string;
  /** Minimum time between `now` and the first delivery interval of a new trade (default 0). */
  readonly minLeadMs?: number;
}
