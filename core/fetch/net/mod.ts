/**
 * Network access: streaming, verified downloads and URL metadata probes.
 *
 * @module
 */

export {
  type DownloadOptions,
  type DownloadResult,
  downloadToFile,
  type ProbeOptions,
  type ProbeResult,
  probeUrl,
} from "./download.ts";
