/**
 * Git credential providers registered by plugins, asked in registration order
 * (first result wins); each runs in its plugin's sandbox.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import type { PluginGrant } from "../engine/registry.ts";
import { grantPermissions } from "../engine/permissions.ts";
import type { CredentialLookup } from "../fetch/git/auth.ts";
import type { CredentialRequest, Credentials } from "../plugin_api/credentials.ts";

/** A provider a plugin registered. */
export interface RegisteredCredentialProvider {
  name: string;
  origin: string;
  moduleUrl: string;
  exportName: string;
  grant: PluginGrant;
}

const CORE_DIR = dirname(dirname(fromFileUrl(import.meta.url)));

async function ask(p: RegisteredCredentialProvider, req: CredentialRequest): Promise<Credentials | null> {
  const g = p.grant;
  const worker = new Worker(new URL("./credentials_worker.ts", import.meta.url), {
    type: "module",
    deno: {
      // Providers read secrets, they do not write: write access is never granted here.
      permissions: grantPermissions({ ...g, write: undefined }, { read: [CORE_DIR] }),
    },
  } as WorkerOptions);
  try {
    return await new Promise<Credentials | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new IvpmError(`credential provider '${p.name}' did not answer`)),
        30_000,
      );
      worker.onmessage = (e: MessageEvent) => {
        clearTimeout(timer);
        const r = e.data as { ok: boolean; creds?: Credentials | null; message?: string };
        if (r.ok) resolve(r.creds ?? null);
        else reject(new IvpmError(`credential provider '${p.name}' (${p.origin}) failed: ${r.message}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        reject(new IvpmError(`credential provider '${p.name}' (${p.origin}) failed: ${e.message}`));
      };
      worker.postMessage({ url: p.moduleUrl, exportName: p.exportName, req });
    });
  } finally {
    worker.terminate();
  }
}

/** A lookup asking `providers` in order, remembering answers per URL for the run. */
export function credentialLookup(providers: RegisteredCredentialProvider[]): CredentialLookup | undefined {
  if (!providers.length) return undefined;
  const memo = new Map<string, Promise<Credentials | null>>();
  return (req) => {
    let r = memo.get(req.url);
    if (!r) {
      r = (async () => {
        for (const p of providers) {
          const c = await ask(p, req);
          if (c) return c;
        }
        return null;
      })();
      memo.set(req.url, r);
    }
    return r;
  };
}
