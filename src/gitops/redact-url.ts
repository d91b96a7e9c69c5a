/** Hides the userinfo of a URL (`https://user:token@host/…` → `https://***@host/…`); other forms pass unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s]+@/, '$1***@');
}

/**
 * Hides userinfo in every form git prints it inside free text: in URLs (`https://u:p@`,
 * `git://u:t@`) and bare (`unable to look up user:token@127.0.0.1`).
 */
export function redactText(text: string): string {
  return text
    .replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s'"]+@/g, '$1***@')
    .replace(/(^|[\s'"(=,])[^\s@'"/:(=,]+:[^\s@'"/]+@(?=[^\s@'"/]+)/gm, '$1***@');
}
