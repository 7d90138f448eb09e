/** A URL without the user and password it may carry: fit for a log line, a label or an error. */
export function withoutCredentials(text: string): URL {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url;
}
