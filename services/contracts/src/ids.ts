/**
 * Identifiers on the wire: participant, meter, head-end, aggregator, platform, programme,
 * DR event and message (`jti`) ids are at most ID_MAX_LENGTH characters. Composite ids
 * join two of them with one separator (batch id `<headEndId>:<jti>`, trade id
 * `<transactionId>/<commitmentId>`), so no id a route can be asked for is longer than
 * COMPOSITE_ID_MAX_LENGTH; statement ids (`<discom>:dr:<eventId>:R<n>`) are shorter.
 */
export const ID_MAX_LENGTH = 128;
export const COMPOSITE_ID_MAX_LENGTH = 2 * ID_MAX_LENGTH + 1;
