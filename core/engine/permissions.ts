/**
 * The one mapping from a plugin's grant to Deno worker permissions: read what
 * the caller needs plus what was granted, everything else only if granted,
 * never ffi, sys or remote imports.
 *
 * @module
 */

import type { PluginGrant } from "./registry.ts";

/** Worker permissions for `grant`, with `base` paths readable/writable on top of it. */
export function grantPermissions(
  grant: PluginGrant,
  base: { read: string[]; write?: string[] },
): Deno.PermissionOptionsObject {
  const write = [...(base.write ?? []), ...(grant.write ?? [])];
  return {
    read: [...base.read, ...(grant.read ?? [])],
    write: write.length ? write : false,
    net: grant.net?.length ? grant.net : false,
    run: grant.run?.length ? grant.run : false,
    env: grant.env?.length ? grant.env : false,
    ffi: false,
    sys: false,
    import: false,
  } as Deno.PermissionOptionsObject;
}
