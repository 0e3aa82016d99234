/** Service, sign-in, accounts, audit, signing keys, enrollment and support bundles: part of the route table (`routes.ts`). */
import { listResponseSchema as list, versionInfoSchema } from "../api.js";
import { fleetHealthQuery, fleetHealthSchema } from "../fleet-health.js";
import { commandKeyInfoSchema } from "../signing.js";
import { enrollmentDecisionBodySchema, enrollmentListQuerySchema, enrollmentViewSchema, enrollTokenCreatedSchema, enrollTokenCreateSchema, enrollTokenViewSchema, installerQuerySchema, installerReleaseQuerySchema } from "../enrollment.js";
import { accountCreateSchema, accountPatchSchema, accountSummarySchema, auditEventSchema, identitySchema, jetStreamStatusSchema, kvDeleteResponseSchema, kvEntryViewSchema, kvPutRequestSchema, kvPutResponseSchema, loginRequestSchema, loginResponseSchema, passwordChangeSchema } from "../governance.js";
import { loginResultSchema, secondFactorRequestSchema, totpCodeBodySchema, totpConfirmedSchema, totpDisabledSchema, totpEnrollmentSchema, totpPolicySchema, totpStatusSchema } from "../two-factor.js";
import { invitationAcceptedSchema, invitationAcceptSchema, invitationCreateSchema, invitationIdParams, invitationPublicSchema, invitationRevokedSchema, invitationViewSchema, linkTokenParams, passwordResetAcceptedSchema, passwordResetCompleteSchema, passwordResetDoneSchema, passwordResetRequestSchema } from "../invitations.js";
import { authMethodsSchema, ssoCallbackQuery, ssoHandoffSchema, ssoStartQuery } from "../sso.js";
import { supportBundleDetailSchema, supportBundleSummarySchema } from "../support-bundles.js";
import { storedObjectSchema } from "../releases.js";
import { binary, json, jsonBody, text, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";
import * as r from "./responses.js";

const objects = json(list(storedObjectSchema));

export const accessRoutes = {
  // ---- service ----------------------------------------------------------------------------------
  getHealth: {
    method: "GET", path: "/health", access: "public",
    summary: "Liveness: the database answers; whether NATS is connected",
    response: json(r.healthSchema),
  },
  getFleetHealth: {
    method: "GET", path: "/api/health/fleet", access: "viewer",
    summary: "Readiness of the whole service: 200, or 503 with reasons (broker, database, projector lag, stale agents)",
    query: fleetHealthQuery, response: json(fleetHealthSchema, 200, [503]),
  },
  // Editors fetch these without a token; they are generated from public validation rules (docs/reference/api.md).
  getJsonSchema: {
    method: "GET", path: "/schemas/:file", access: "public",
    summary: "JSON Schema of a YAML document operators write (job-manifest.json, schedule.json), for editors",
    params: q.jsonSchemaParams, response: json(r.jsonSchemaDocumentSchema),
  },
  getVersion: {
    method: "GET", path: "/api/version", access: "public",
    summary: "Backend name, version and protocol number",
    response: json(versionInfoSchema),
  },
  getMetrics: {
    method: "GET", path: "/metrics", access: "viewer",
    summary: "Prometheus metrics (text format)",
    response: text("text/plain"),
  },

  // ---- sessions ---------------------------------------------------------------------------------
  login: {
    method: "POST", path: "/api/auth/login", access: "public",
    summary: "Exchange a username and password for a session token, or for a second-factor challenge when the account has TOTP",
    body: jsonBody(loginRequestSchema), response: json(loginResultSchema),
  },
  loginSecondFactor: {
    method: "POST", path: "/api/auth/login/second-factor", access: "public",
    summary: "Complete a sign-in challenge with a TOTP code or a single-use recovery code",
    body: jsonBody(secondFactorRequestSchema), response: json(loginResponseSchema),
  },
  logout: {
    method: "POST", path: "/api/auth/logout", access: "viewer",
    summary: "End the caller's session; its token stops working",
    whilePasswordChangeRequired: true, whileTotpEnrollmentRequired: true, response: json(r.logoutResponseSchema),
  },
  getMe: {
    method: "GET", path: "/api/auth/me", access: "viewer",
    summary: "Who the caller is: actor, role, kind",
    whilePasswordChangeRequired: true, whileTotpEnrollmentRequired: true, response: json(identitySchema),
  },
  changePassword: {
    method: "POST", path: "/api/auth/password", access: "viewer",
    summary: "Change the caller's own password; answers a fresh session",
    whilePasswordChangeRequired: true, whileTotpEnrollmentRequired: true, body: jsonBody(passwordChangeSchema), response: json(loginResponseSchema),
  },

  // ---- single sign-on (OpenID Connect); the oidc routes exist only when [oidc] is configured ------------
  getAuthMethods: {
    method: "GET", path: "/api/auth/methods", access: "public",
    summary: "Which sign-in methods the backend offers (password; SSO with the provider's name when OIDC is configured)",
    response: json(authMethodsSchema),
  },
  startSso: {
    method: "GET", path: "/api/auth/oidc/start", access: "public",
    summary: "Start single sign-on: redirects the browser to the identity provider (authorization code + PKCE, state, nonce)",
    query: ssoStartQuery, response: text("text/html"),
  },
  finishSso: {
    method: "GET", path: "/api/auth/oidc/callback", access: "public",
    summary: "The provider's redirect back: checks state and nonce, exchanges the code, maps the group claim to a role; redirects with a one-time handoff code",
    query: ssoCallbackQuery, response: text("text/html"),
  },
  ssoHandoff: {
    method: "POST", path: "/api/auth/oidc/handoff", access: "public",
    summary: "Exchange the one-time handoff code (and the secret behind its challenge) for the session token",
    body: jsonBody(ssoHandoffSchema), response: json(loginResponseSchema),
  },

  // ---- two-factor sign-in (TOTP) ------------------------------------------------------------------
  getTotpStatus: {
    method: "GET", path: "/api/account/totp", access: "viewer",
    summary: "The caller's own TOTP state: enabled, required by its role, recovery codes left",
    whileTotpEnrollmentRequired: true, response: json(totpStatusSchema),
  },
  enrollTotp: {
    method: "POST", path: "/api/account/totp/enroll", access: "viewer",
    summary: "Start TOTP enrolment: a new secret, its otpauth:// URI and QR code (active only after confirm)",
    whileTotpEnrollmentRequired: true, response: json(totpEnrollmentSchema),
  },
  confirmTotp: {
    method: "POST", path: "/api/account/totp/confirm", access: "viewer",
    summary: "Turn TOTP on with a first code; answers 10 single-use recovery codes, shown only now",
    whileTotpEnrollmentRequired: true, body: jsonBody(totpCodeBodySchema), response: json(totpConfirmedSchema),
  },
  disableTotp: {
    method: "DELETE", path: "/api/account/totp", access: "viewer",
    summary: "Turn the caller's own TOTP off, with a current code",
    body: jsonBody(totpCodeBodySchema), response: json(totpDisabledSchema),
  },
  resetAccountTotp: {
    method: "DELETE", path: "/api/accounts/:username/totp", access: "admin",
    summary: "Turn an account's TOTP off (it lost its authenticator); ends its sessions",
    params: q.usernameParams, response: json(totpDisabledSchema),
  },
  getTotpPolicy: {
    method: "GET", path: "/api/auth/totp-policy", access: "viewer",
    summary: "Roles whose accounts must use TOTP",
    response: json(totpPolicySchema),
  },
  putTotpPolicy: {
    method: "PUT", path: "/api/auth/totp-policy", access: "admin",
    summary: "Set the roles whose accounts must use TOTP (they can reach only enrolment until they enrol)",
    body: jsonBody(totpPolicySchema), response: json(totpPolicySchema),
  },

  // ---- accounts ---------------------------------------------------------------------------------
  listAccounts: {
    method: "GET", path: "/api/accounts", access: "admin",
    summary: "Every account",
    response: json(list(accountSummarySchema)),
  },
  createAccount: {
    method: "POST", path: "/api/accounts", access: "admin",
    summary: "Create an account with a role",
    body: jsonBody(accountCreateSchema), response: json(accountSummarySchema, 201),
  },
  getAccount: {
    method: "GET", path: "/api/accounts/:username", access: "admin",
    summary: "One account",
    params: q.usernameParams, response: json(accountSummarySchema),
  },
  updateAccount: {
    method: "PATCH", path: "/api/accounts/:username", access: "admin",
    summary: "Change an account's role, disabled flag or password",
    params: q.usernameParams, body: jsonBody(accountPatchSchema), response: json(accountSummarySchema),
  },
  deleteAccount: {
    method: "DELETE", path: "/api/accounts/:username", access: "admin",
    summary: "Delete an account",
    params: q.usernameParams, response: json(r.accountDeletedSchema),
  },

  // ---- invitations and password-reset links by e-mail ----------------------------------------------
  createInvitation: {
    method: "POST", path: "/api/accounts/invitations", access: "admin",
    summary: "Invite someone by e-mail to make an account with a role; the link works once, until it expires (default 72h)",
    body: jsonBody(invitationCreateSchema), response: json(invitationViewSchema, 201, [503]),
  },
  listInvitations: {
    method: "GET", path: "/api/accounts/invitations", access: "admin",
    summary: "Every invitation with its state: pending, used, expired or revoked",
    response: json(list(invitationViewSchema)),
  },
  revokeInvitation: {
    method: "DELETE", path: "/api/accounts/invitations/:id", access: "admin",
    summary: "Revoke a pending invitation; its link stops working",
    params: invitationIdParams, response: json(invitationRevokedSchema),
  },
  getInvitation: {
    method: "GET", path: "/api/invitations/:token", access: "public",
    summary: "What an invitation link offers (e-mail, role, expiry); 410 when expired, used or revoked",
    params: linkTokenParams, response: json(invitationPublicSchema, 200, [410]),
  },
  acceptInvitation: {
    method: "POST", path: "/api/invitations/:token/accept", access: "public",
    summary: "Make the invited account with a username and password; the link is then void",
    params: linkTokenParams, body: jsonBody(invitationAcceptSchema), response: json(invitationAcceptedSchema, 201, [410]),
  },
  requestPasswordReset: {
    method: "POST", path: "/api/auth/password-reset", access: "public",
    summary: "Mail a password-reset link to the account with this username or e-mail; always 202, whether or not it exists",
    body: jsonBody(passwordResetRequestSchema), response: json(passwordResetAcceptedSchema, 202),
  },
  completePasswordReset: {
    method: "POST", path: "/api/auth/password-reset/complete", access: "public",
    summary: "Set a new password with a mailed reset token (single use, 1h); ends the account's sessions",
    body: jsonBody(passwordResetCompleteSchema), response: json(passwordResetDoneSchema, 200, [410]),
  },

  // ---- support bundles (sent by people at their PCs through KLP) ----------------------------------
  listSupportBundles: {
    method: "GET", path: "/api/support-bundles", access: "viewer",
    summary: "Support bundles sent from PCs, newest first",
    query: q.listSupportBundlesQuery, response: json(list(supportBundleSummarySchema)),
  },
  getSupportBundle: {
    method: "GET", path: "/api/support-bundles/:id", access: "viewer",
    summary: "One support bundle with its content",
    params: q.supportBundleParams, response: json(supportBundleDetailSchema),
  },

  // ---- audit and JetStream ----------------------------------------------------------------------
  listAudit: {
    method: "GET", path: "/api/audit", access: "viewer",
    summary: "The audit trail, newest first",
    query: q.listAuditQuery, response: json(list(auditEventSchema)),
  },
  getJetStreamStatus: {
    method: "GET", path: "/api/jetstream/status", access: "viewer",
    summary: "Usage against limits of every stream, KV bucket and object store",
    response: json(jetStreamStatusSchema),
  },
  getKvEntry: {
    method: "GET", path: "/api/jetstream/kv/:bucket/:key", access: "viewer",
    summary: "One entry of one of kanade's KV buckets",
    params: q.kvParams, response: json(kvEntryViewSchema),
  },
  // Raw KV writes bypass every check the typed routes make (revocation, config layering): admins only.
  putKvEntry: {
    method: "PUT", path: "/api/jetstream/kv/:bucket/:key", access: "admin",
    summary: "Write one KV entry (checked for kanade's own buckets)",
    params: q.kvParams, body: jsonBody(kvPutRequestSchema), response: json(kvPutResponseSchema),
  },
  deleteKvEntry: {
    method: "DELETE", path: "/api/jetstream/kv/:bucket/:key", access: "admin",
    summary: "Delete one KV entry",
    params: q.kvParams, response: json(kvDeleteResponseSchema),
  },
  // ---- command signing keys (the lock-down of the fleet) --------------------------------------------
  listCommandKeys: {
    method: "GET", path: "/api/command-keys", access: "viewer",
    summary: "The keys commands are signed with, and their state",
    response: json(list(commandKeyInfoSchema)),
  },
  addCommandKey: {
    method: "POST", path: "/api/command-keys", access: "admin",
    summary: "Add a signing key; agents learn to trust it; it signs once the active key is retired",
    response: json(commandKeyInfoSchema, 201),
  },
  retireCommandKey: {
    method: "POST", path: "/api/command-keys/:kid/retire", access: "admin",
    summary: "Retire a signing key; the next key (if any) starts signing; agents stop trusting the retired one",
    params: q.commandKeyParams, response: json(commandKeyInfoSchema),
  },
  // ---- enrollment: who may join the fleet (issue 12 §2) -------------------------------------------
  listEnrollments: {
    method: "GET", path: "/api/enrollments", access: "viewer",
    summary: "Agents that asked to join, with their state; state=attention lists pending requests and key conflicts",
    query: enrollmentListQuerySchema, response: json(list(enrollmentViewSchema)),
  },
  acceptEnrollments: {
    method: "POST", path: "/api/enrollments/accept", access: "operator",
    summary: "Accept PCs' join requests (a conflicting key replaces the old one, which is revoked)",
    body: jsonBody(enrollmentDecisionBodySchema), response: json(list(enrollmentViewSchema)),
  },
  rejectEnrollments: {
    method: "POST", path: "/api/enrollments/reject", access: "operator",
    summary: "Reject PCs' join requests (or a conflicting key; the enrolled key stays)",
    body: jsonBody(enrollmentDecisionBodySchema), response: json(list(enrollmentViewSchema)),
  },
  revokeAgent: {
    method: "POST", path: "/api/agents/:pc/revoke", access: "operator",
    summary: "Cut an agent off the broker; it cannot reconnect until an operator accepts it again",
    params: q.pcParams, response: json(enrollmentViewSchema),
  },
  listEnrollTokens: {
    method: "GET", path: "/api/enroll-tokens", access: "viewer",
    summary: "Enrollment tokens still usable (never the secret)",
    response: json(list(enrollTokenViewSchema)),
  },
  createEnrollToken: {
    method: "POST", path: "/api/enroll-tokens", access: "operator",
    summary: "Make a token that deploy scripts give agents: their join requests are accepted at once",
    body: jsonBody(enrollTokenCreateSchema), response: json(enrollTokenCreatedSchema, 201),
  },
  // Public, but each checks an enrollment token (?token=): a technician pastes one command on a new PC.
  getInstallerShell: {
    method: "GET", path: "/api/agents/installer.sh", access: "public",
    summary: "One-line install for Linux (systemd): fetches the newest release, checks its digest, enrolls with the token",
    query: installerQuerySchema, response: text("text/x-shellscript"),
  },
  getInstallerPowershell: {
    method: "GET", path: "/api/agents/installer.ps1", access: "public",
    summary: "One-line install for Windows: fetches the newest release and the WinSW wrapper, checks their digests, installs the KanadeAgent service",
    query: installerQuerySchema, response: text("text/plain"),
  },
  downloadInstallerServiceWrapper: {
    method: "GET", path: "/api/agents/installer.winsw", access: "public",
    summary: "The WinSW service wrapper the Windows installer installs as KanadeAgent.exe (enrollment token instead of a session)",
    query: installerQuerySchema, response: binary(),
  },
  downloadInstallerRelease: {
    method: "GET", path: "/api/agents/installer.bin", access: "public",
    summary: "The agent build an installer fetches (enrollment token instead of a session)",
    query: installerReleaseQuerySchema, response: binary(),
  },
  listStoreObjects: {
    method: "GET", path: "/api/jetstream/objects/:store", access: "viewer",
    summary: "Objects of one of kanade's object stores",
    params: q.storeParams, response: objects,
  },
} as const satisfies Record<string, RouteDef>;
