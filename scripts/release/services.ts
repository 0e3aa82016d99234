/** The Windows service table now lives in the protocol package (the backend's installer needs it too). */
export { SERVICE_ROLES, SERVICES, roleDataDir, type ServiceRole, type ServiceSpec } from "../../packages/protocol/src/windows-service.js";
