/** Hides the userinfo of a URL (`https://user:token@host/…` → `https://***@host/…`); other forms pass unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s]+@/, '$1***@');
}

/** Hides the userinfo of every URL inside free text, such as git's error output. */
export function redactText(text: string): string {
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s'"]+@/g, '$1***@');
}
