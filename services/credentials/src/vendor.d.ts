// The Digital Bazaar VC / Data Integrity libraries ship JavaScript without types; the few
// calls this package makes are typed where they are used (verify-credential.ts, issue.ts).
declare module '@digitalbazaar/vc';
declare module '@digitalbazaar/data-integrity';
declare module '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
declare module '@digitalbazaar/ed25519-signature-2020';
declare module '@digitalbazaar/data-integrity-context';
declare module '@digitalbazaar/multikey-context';
declare module 'jsonld-signatures';
