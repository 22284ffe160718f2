/**
 * Worker asking one plugin credential provider.
 *
 * @module
 */

import { hardenPluginRealm } from "../engine/plugin_realm.ts";
import type { CredentialProvider } from "../plugin_api/credentials.ts";

hardenPluginRealm();

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

scope.onmessage = async (e: MessageEvent) => {
  const { url, exportName, req } = e.data;
  try {
    const ns = await import(url) as Record<string, new () => CredentialProvider>;
    const creds = await new ns[exportName]().getCredentials(req);
    scope.postMessage({
      ok: true,
      creds: creds ? { username: String(creds.username), password: String(creds.password) } : null,
    });
  } catch (err) {
    scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
