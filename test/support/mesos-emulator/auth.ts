import type { AuthOptions } from './types.js';

/** The libprocess Basic authenticator: the authenticated principal, or undefined (→ 401). */
export function authenticate(header: string | undefined, auth: AuthOptions): string | undefined {
  if (!header) return undefined;
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme !== 'Basic' || token === undefined || rest.length > 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const parts = Buffer.from(token, 'base64').toString('utf8').split(':');
  if (parts.length !== 2) return undefined;
  const [principal, secret] = parts;
  return principal === auth.principal && secret === auth.secret ? principal : undefined;
}

/** The headers and body of the master's 401 for a realm. */
export function unauthorized(realm: string): { headers: Record<string, string>; body: string } {
  return { headers: { 'WWW-Authenticate': `Basic realm="${realm}"` }, body: '401 Unauthorized.' };
}
