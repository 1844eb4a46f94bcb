// @ies/audit: the independent auditor behind `ies audit` and the fault campaign. It trusts
// the durable records (Kafka topics, ClickHouse) and public keys, not the services' word.
export { audit, type AuditOptions } from './audit.js';
export { parseAckLedger, readAckLedger, type AckLedgerEntry } from './ledger.js';
export { renderAuditTable, type AuditReport, type InvariantFailure, type InvariantResult } from './report.js';
export { contentShaWithoutEvidence, referenceOf, type StatementDocument } from './domain/statement-invariant.js';
export { readStatementsOfDay } from './statements-of-day.js';
