/** Replaces every occurrence of the secret in driver output (a driver may echo its conf). */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret === undefined || secret === '' ? text : text.split(secret).join('******');
}
