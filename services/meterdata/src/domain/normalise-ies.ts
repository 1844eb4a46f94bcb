import type { CandidateRead } from './candidate.js';
import { collectDescriptorSets } from './descriptors.js';
import { intervalCandidates } from './interval-reads.js';
import { PROFILE_TITLES, type Profile } from './meterdata-document.js';
import { categoriesInDocument, meterCategoryOf } from './meter-category.js';
import { item } from './paths.js';
import { assertPolicy } from './policy.js';
import { checkProfile } from './profile-rules.js';
import { assertMatchesSchema } from './schema-check.js';
import type { IngestContext, IngestResult } from './types.js';
import { applyVee } from './vee.js';

/**
 * Normalises an IES MeterData v0.6 document (one profile or an array of them) into 15-minute
 * Wh reads. Document-level problems (schema, descriptors, reading types, profile types,
 * reading attributes, meter category, arity, time order, cumulatives, usage math,
 * resolution, not ingestible) throw an IesError and refuse the
 * whole batch; per-read problems (VEE) reject only that read. Profiles without interval
 * reads are validated by the same rules and counted in `ignoredProfiles`.
 */
export function normaliseIesMeterData(document: unknown, ctx: IngestContext): IngestResult {
  assertPolicy(ctx.policy);
  assertMatchesSchema(document);
  const profiles = (Array.isArray(document) ? document : [document]) as Profile[];
  const pathOf = (i: number) => (Array.isArray(document) ? item('', i) : '');
  const catalogue = collectDescriptorSets(profiles, pathOf);
  const categories = categoriesInDocument(profiles, pathOf);
  const ignoredProfiles: Record<string, number> = {};
  const candidates: CandidateRead[] = [];
  profiles.forEach((profile, i) => {
    if (profile.profileType === 'DESCRIPTOR') return;
    const title = PROFILE_TITLES[profile.profileType] ?? profile.profileType;
    if (profile.profileType === 'CUSTOMER') {
      ignoredProfiles[title] = (ignoredProfiles[title] ?? 0) + 1;
      return;
    }
    const category = meterCategoryOf(profile, pathOf(i), categories, ctx.meters);
    const checked = checkProfile(profile, pathOf(i), catalogue, ctx.policy, category);
    if (profile.profileType === 'INTERVAL') candidates.push(...intervalCandidates(checked, ignoredProfiles));
    else ignoredProfiles[title] = (ignoredProfiles[title] ?? 0) + 1;
  });
  return { ...applyVee(candidates, ctx), ignoredProfiles };
}
