import type { ParticipantRole } from '@ies/registry';

/** The OpenADR 3.1 OAuth2 scopes (openadr3.yaml, securitySchemes.oAuth2ClientCredentials). */
export const OPENADR_SCOPES = ['read_all', 'read_bl', 'read_targets', 'read_ven_objects', 'write_programs', 'write_events', 'write_reports', 'write_subscriptions', 'write_vens'] as const;
export type OpenAdrScope = (typeof OPENADR_SCOPES)[number];

/**
 * Which scopes each of our roles may hold. An aggregator is a VEN, the DISCOM's DR desk is
 * the Business Logic (BL). Nobody is granted write_programs, write_events or write_vens:
 * programmes, VENs and resources come from the operator-signed registry and DR events from
 * signed writes (POST /v1/dr/events); the OpenADR view is a projection of those.
 */
const BY_ROLE: Partial<Record<ParticipantRole, readonly OpenAdrScope[]>> = {
  AGGREGATOR: ['read_targets', 'read_ven_objects', 'write_reports', 'write_subscriptions'],
  DISCOM: ['read_all', 'read_bl', 'read_targets', 'read_ven_objects', 'write_subscriptions'],
};

export function scopesOfRole(role: ParticipantRole): readonly OpenAdrScope[] {
  return BY_ROLE[role] ?? [];
}

/**
 * The scopes a token gets: all the role allows when none is asked for (RFC 6749 §3.3 lets
 * the server pick a default), else exactly those asked; null when any asked is not allowed.
 */
export function grantScopes(role: ParticipantRole, requested: string | undefined): OpenAdrScope[] | null {
  const allowed = scopesOfRole(role);
  const asked = (requested ?? '').split(' ').filter((s) => s !== '');
  if (asked.length === 0) return [...allowed];
  if (!asked.every((s) => (allowed as readonly string[]).includes(s))) return null;
  return [...new Set(asked)] as OpenAdrScope[];
}
