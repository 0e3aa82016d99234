/** The bearer token lives in sessionStorage (this tab only), never in the URL. */
const KEY = "kanade.token";

export const loadToken = (): string | null => window.sessionStorage.getItem(KEY);
export const saveToken = (token: string): void => window.sessionStorage.setItem(KEY, token);
export const clearToken = (): void => window.sessionStorage.removeItem(KEY);
