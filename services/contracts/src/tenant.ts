/**
 * A tenant is a DISCOM id in DEG `utilityId` style (BRPL-DL, TPDDL-DL). It prefixes every
 * topic, so it is restricted to characters Kafka topic names and ClickHouse values accept.
 */
export const DISCOM_ID_PATTERN = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;
export const DISCOM_ID_MAX_LENGTH = 64;

export function isDiscomId(value: string): boolean {
  return value.length <= DISCOM_ID_MAX_LENGTH && DISCOM_ID_PATTERN.test(value);
}
