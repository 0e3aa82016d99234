/** The TOTP code an authenticator app would show for a secret at an instant, for tests that sign in with two factors. */
export { totpAt } from "@kanade/backend";
