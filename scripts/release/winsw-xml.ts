/** The WinSW XML generator now lives in the protocol package (the backend's installer writes the agent's). */
export { LOG_KEEP_FILES, LOG_ROLL_KB, RESET_FAILURE, RESTART_DELAYS_SECS, winswXml, winswXmlFor } from "../../packages/protocol/src/windows-service.js";
