/**
 * How simulated PCs check command signatures (`kanade-agent simulate --signature-check`): `memo` (default)
 * verifies each distinct signed command once for the whole process, `each` verifies every PC's copy (what N
 * real PCs do, but one after another in this one process), `off` checks none — only for measuring what
 * signing costs (bench:auth). The simulator runs nothing but its in-process echo, so `off` cannot make any
 * PC run anything, and the real agent has no such switch.
 */
export const SIGNATURE_CHECK_MODES = ["memo", "each", "off"] as const;
export type SignatureCheckMode = (typeof SIGNATURE_CHECK_MODES)[number];
