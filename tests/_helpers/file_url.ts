/** `file:` URL of an absolute path. */
export function toFileUrl(path: string): string {
  return new URL(`file://${path}`).href;
}
