import kafkajs, { type AclEntry } from 'kafkajs';
import { KAFKA_GRANTS, TOPICS, topicName, withNodeId, type KafkaGrants, type ServicePrincipal } from '@ies/contracts';

// kafkajs is CommonJS and its enums are not visible to ESM named imports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
type AclOperationTypes = kafkajs.AclOperationTypes;
type AclResourceTypes = kafkajs.AclResourceTypes;
type ResourcePatternTypes = kafkajs.ResourcePatternTypes;

const CLUSTER = 'kafka-cluster';

function allow(principal: string, resourceType: AclResourceTypes, resourceName: string, pattern: ResourcePatternTypes, operation: AclOperationTypes): AclEntry {
  return { principal: `User:${principal}`, host: '*', resourceType, resourceName, resourcePatternType: pattern, operation, permissionType: AclPermissionTypes.ALLOW };
}

/**
 * The ACLs of one tenant, from the single table KAFKA_GRANTS: LITERAL READ/WRITE on each
 * catalogue topic a principal consumes or produces, PREFIXED CREATE/WRITE under the prefixes
 * it creates topics in, and (node-wide, the same for every tenant) PREFIXED READ on its
 * consumer group ids, PREFIXED WRITE on its transactional ids and cluster IDEMPOTENT_WRITE
 * when it produces. READ and WRITE imply DESCRIBE.
 */
export function tenantAcls(discom: string, nodeId: string): AclEntry[] {
  const acls: AclEntry[] = [];
  for (const [principal, grants] of Object.entries(KAFKA_GRANTS) as [ServicePrincipal, KafkaGrants][]) {
    for (const id of grants.read) acls.push(allow(principal, AclResourceTypes.TOPIC, topicName(discom, TOPICS[id]), ResourcePatternTypes.LITERAL, AclOperationTypes.READ));
    for (const id of grants.write) acls.push(allow(principal, AclResourceTypes.TOPIC, topicName(discom, TOPICS[id]), ResourcePatternTypes.LITERAL, AclOperationTypes.WRITE));
    for (const prefix of grants.createUnder ?? []) {
      for (const op of [AclOperationTypes.CREATE, AclOperationTypes.WRITE]) acls.push(allow(principal, AclResourceTypes.TOPIC, `ies.${discom}.${prefix}`, ResourcePatternTypes.PREFIXED, op));
    }
    for (const group of grants.groups) acls.push(allow(principal, AclResourceTypes.GROUP, withNodeId(group, nodeId), ResourcePatternTypes.PREFIXED, AclOperationTypes.READ));
    for (const id of grants.transactionalIds) acls.push(allow(principal, AclResourceTypes.TRANSACTIONAL_ID, withNodeId(id, nodeId), ResourcePatternTypes.PREFIXED, AclOperationTypes.WRITE));
    if (grants.write.length > 0 || (grants.createUnder ?? []).length > 0) acls.push(allow(principal, AclResourceTypes.CLUSTER, CLUSTER, ResourcePatternTypes.LITERAL, AclOperationTypes.IDEMPOTENT_WRITE));
  }
  return acls;
}

/** The catalogue topics of `discom` that `principal` uses (reads or writes). */
export function topicsOf(discom: string, principal: ServicePrincipal): string[] {
  const grants: KafkaGrants = KAFKA_GRANTS[principal];
  return [...new Set([...grants.read, ...grants.write])].map((id) => topicName(discom, TOPICS[id]));
}

/**
 * The ACLs of an issued consumer credential (an aggregator's SCRAM user): LITERAL READ on
 * each of `topics` (READ implies DESCRIBE; LITERAL so no other topic sharing a prefix is
 * covered) and PREFIXED READ on its own consumer group ids. Nothing else: no WRITE, no
 * cluster right, no other topic.
 */
export function consumerCredentialAcls(username: string, topics: readonly string[], groupPrefix: string): AclEntry[] {
  return [
    ...topics.map((t) => allow(username, AclResourceTypes.TOPIC, t, ResourcePatternTypes.LITERAL, AclOperationTypes.READ)),
    allow(username, AclResourceTypes.GROUP, groupPrefix, ResourcePatternTypes.PREFIXED, AclOperationTypes.READ),
  ];
}
