/**
 * Git credential providers: a first-result hook (devpi's `get_credentials`
 * pattern). ivpm asks each provider in turn for an https git URL; the first
 * that answers wins, `null` means "not mine, ask the next one".
 *
 * @module
 */

/**
 * What ivpm asks credentials for.
 *
 * @example
 * ```ts
 * import type { CredentialRequest } from "@ivpm/plugin";
 * const r: CredentialRequest = { url: "https://git.acme.com/hw/uart.git", host: "git.acme.com", protocol: "https" };
 * ```
 */
export interface CredentialRequest {
  /** The remote's URL as ivpm will use it. */
  url: string;
  /** Its host name. */
  host: string;
  /** `https` or `http`. */
  protocol: string;
}

/**
 * Credentials for one request.
 *
 * @example
 * ```ts
 * import type { Credentials } from "@ivpm/plugin";
 * const c: Credentials = { username: "x-access-token", password: "…" };
 * ```
 */
export interface Credentials {
  /** User name (e.g. `x-access-token` for a token). */
  username: string;
  /** Password or token; passed to git through the environment only. */
  password: string;
}

/**
 * Base class of credential providers. Export a subclass from a plugin; it runs in
 * the plugin's sandbox (grant it `--allow-env` / `--allow-run` / `--allow-net` as it needs).
 *
 * @example
 * ```ts
 * import { CredentialProvider, type CredentialRequest } from "@ivpm/plugin";
 * export class AcmeGit extends CredentialProvider {
 *   static override name = "acme-git";
 *   override getCredentials(req: CredentialRequest) {
 *     if (req.host !== "git.acme.com") return null;
 *     return { username: "ci", password: Deno.env.get("ACME_GIT_TOKEN") ?? "" };
 *   }
 * }
 * ```
 */
export abstract class CredentialProvider {
  /** Shown by `ivpm show plugin`. */
  static description = "";

  /**
   * Credentials for `req`, or `null` when this provider does not handle it.
   *
   * @example
   * ```ts
   * import { CredentialProvider, type CredentialRequest } from "@ivpm/plugin";
   * class None extends CredentialProvider {
   *   static override name = "none";
   *   override getCredentials(_req: CredentialRequest) {
   *     return null;
   *   }
   * }
   * ```
   */
  abstract getCredentials(req: CredentialRequest): Credentials | null | Promise<Credentials | null>;
}
