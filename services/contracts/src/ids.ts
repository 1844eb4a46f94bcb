/**
 * Identifiers on the wire: participant, meter, head-end, aggregator, platform, programme,
 * DR event, transaction and commitment ids share one grammar: 1 to ID_MAX_LENGTH
 * characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit, without "..".
 * That admits every id the IES and DEG examples use (DID `did:web:host:path`, meter serials,
 * UUIDs, `TEST_METER_SELLER_001`, `sellerapp.example.com`) and keeps out what makes an id
 * unsafe in a URL path, a Redis key, a log line or a file name: "/", "..", whitespace,
 * control and bidi characters.
 *
 * Composite ids join two of them with one separator (batch id `<headEndId>:<jti>`, trade id
 * `<transactionId>/<commitmentId>`), so no id a route can be asked for is longer than
 * COMPOSITE_ID_MAX_LENGTH; statement ids (`<discom>:dr:<eventId>:R<n>`) are shorter.
 */
export const ID_MAX_LENGTH = 128;
export const COMPOSITE_ID_MAX_LENGTH = 2 * ID_MAX_LENGTH + 1;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** The grammar in words, for refusals. */
export const ID_GRAMMAR = `1 to ${ID_MAX_LENGTH} characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit, without ".."`;

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && !value.includes('..');
}
