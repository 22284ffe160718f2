/**
 * Worker running one fetch of a plugin-provided source.
 *
 * @module
 */

import { hardenPluginRealm } from "../engine/plugin_realm.ts";
import type { Source } from "../fetch/sources/types.ts";

hardenPluginRealm();

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

scope.onmessage = async (e: MessageEvent) => {
  const { url, exportName, dep, ctx } = e.data;
  try {
    const ns = await import(url) as Record<string, Source>;
    const outcome = await ns[exportName].fetch(dep, {
      ...ctx,
      cache: null,
      signal: new AbortController().signal,
      note: (note: string) => scope.postMessage({ note }),
    });
    scope.postMessage({ ok: true, outcome: structuredClone(outcome) });
  } catch (err) {
    scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
