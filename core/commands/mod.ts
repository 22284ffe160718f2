/**
 * Command entry points, one module per command.
 *
 * @module
 */

export { init } from "./init.ts";
export { share } from "./share.ts";
export { showAll, showSource, showType } from "./show.ts";
export { showDeps } from "./show_deps.ts";
export { showHandler } from "./show_handler.ts";
export { update } from "./update.ts";
export { clone } from "./clone.ts";
export { status } from "./status.ts";
export { cacheClean, cacheInfo, cacheInit } from "./cache.ts";
export { destroy } from "./destroy.ts";
export { pluginAdd, pluginCheck, pluginList, pluginRemove, pluginUpdate, showPlugin } from "./plugin.ts";
export { showSiteConfig } from "./show_site_config.ts";
export { activate } from "./activate.ts";
export { build } from "./build.ts";
export { pkgInfoCommand } from "./pkg_info.ts";
