/**
 * How far an archive may expand: caps on the bytes it unpacks to, on its
 * expansion ratio and on its number of entries, so a decompression bomb (a
 * 1 MiB tar.gz of zeros that unpacks to 1 GiB, a zip of a million empty files)
 * from some transitive dependency stops at the cap instead of filling the disk.
 *
 * Chosen by the user (`--max-unpacked-size` / `IVPM_MAX_UNPACKED_SIZE`,
 * `--max-expansion-ratio` / `IVPM_MAX_EXPANSION_RATIO`, `--max-unpacked-entries`
 * / `IVPM_MAX_UNPACKED_ENTRIES`; `0` turns a cap off). An update sets them once
 * with {@link withExtractLimits}; every extraction inside sees them.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { IvpmError } from "../../base/errors.ts";
import { formatByteSize, parseByteSize } from "../../util/byte_size.ts";

/** Caps of one extraction; `Infinity` is no cap. */
export interface ExtractLimits {
  /** Most bytes of file content the archive may unpack to, all entries together. */
  maxUnpackedBytes: number;
  /** Most unpacked bytes per byte of archive, checked once {@link ratioFloorBytes} are unpacked. */
  maxExpansionRatio: number;
  /** Unpacked size below which the ratio is not checked (small archives of text compress very well). */
  ratioFloorBytes: number;
  /** Most entries (files, directories, links, skipped ones too). */
  maxEntries: number;
}

/**
 * The defaults are meant never to stop a real archive, only a bomb:
 * - 8 GiB unpacked: the largest archives packages ship (an LLVM or a vendor
 *   FPGA/EDA toolchain release, 5–6 GiB unpacked) fit; more is a disk filler.
 * - a ratio of 200: source and binaries compress 3–10×, and deflate, the
 *   format of most bombs, cannot exceed about 1030× — yet a 200× archive that
 *   is a little over the floor is still only a few hundred KiB.
 * - the ratio applies past 64 MiB only: below that, a file of zeros or of
 *   repeated text (often over 200×) does no harm whatever its ratio.
 * - 1,000,000 entries: twice the largest source trees (Chromium, ~500,000
 *   files; the Linux kernel ~90,000); a small disk runs out of inodes not far
 *   above.
 */
export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  maxUnpackedBytes: 8 * 2 ** 30,
  maxExpansionRatio: 200,
  ratioFloorBytes: 64 * 2 ** 20,
  maxEntries: 1_000_000,
};

const ambient = new AsyncLocalStorage<Partial<ExtractLimits>>();

/** Runs `fn` with `limits` (over any already in force) applying to every extraction it starts. */
export function withExtractLimits<T>(limits: Partial<ExtractLimits>, fn: () => Promise<T>): Promise<T> {
  return ambient.run({ ...(ambient.getStore() ?? {}), ...limits }, fn);
}

/** The limits in force for the current call: the defaults, overridden by {@link withExtractLimits}. */
export function currentExtractLimits(): ExtractLimits {
  return { ...DEFAULT_EXTRACT_LIMITS, ...(ambient.getStore() ?? {}) };
}

/** One setting: its variable, its flag of `ivpm update`, what it caps. */
interface Setting {
  env: string;
  flag: string;
  example: string;
}

const SIZE: Setting = { env: "IVPM_MAX_UNPACKED_SIZE", flag: "--max-unpacked-size", example: "16G" };
const RATIO: Setting = { env: "IVPM_MAX_EXPANSION_RATIO", flag: "--max-expansion-ratio", example: "1000" };
const ENTRIES: Setting = {
  env: "IVPM_MAX_UNPACKED_ENTRIES",
  flag: "--max-unpacked-entries",
  example: "5000000",
};

/**
 * Reads `IVPM_MAX_UNPACKED_SIZE` (a size: `8G`, `500M`, bytes), `IVPM_MAX_EXPANSION_RATIO`
 * and `IVPM_MAX_UNPACKED_ENTRIES` (whole numbers) from `env`; `0` is no cap, unset values
 * stay undefined (the defaults apply).
 *
 * @throws {IvpmError} naming the variable, for a value that is not of its kind.
 */
export function extractLimitsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Partial<ExtractLimits> {
  const out: Partial<ExtractLimits> = {};
  const size = env[SIZE.env]?.trim();
  if (size) {
    const n = parseByteSize(size);
    if (n === undefined) {
      throw new IvpmError(`${SIZE.env} must be a size such as 8G or 500M, got '${size}'`, {
        hint: `unset it (default ${formatByteSize(DEFAULT_EXTRACT_LIMITS.maxUnpackedBytes)}) or set e.g. ` +
          `${SIZE.env}=${SIZE.example} (0: no limit)`,
      });
    }
    out.maxUnpackedBytes = n || Infinity;
  }
  const ratio = wholeNumber(env, RATIO, DEFAULT_EXTRACT_LIMITS.maxExpansionRatio);
  if (ratio !== undefined) out.maxExpansionRatio = ratio;
  const entries = wholeNumber(env, ENTRIES, DEFAULT_EXTRACT_LIMITS.maxEntries);
  if (entries !== undefined) out.maxEntries = entries;
  return out;
}

function wholeNumber(
  env: Readonly<Record<string, string | undefined>>,
  setting: Setting,
  fallback: number,
): number | undefined {
  const text = env[setting.env]?.trim();
  if (!text) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new IvpmError(`${setting.env} must be a whole number (0 for no limit), got '${text}'`, {
      hint: `unset it (default ${fallback}) or set e.g. ${setting.env}=${setting.example}`,
    });
  }
  return n || Infinity;
}

/** Which cap an archive went over. */
export type ExceededLimit =
  | { kind: "size"; limit: number }
  | { kind: "ratio"; limit: number; unpacked: number; archiveBytes: number }
  | { kind: "entries"; limit: number };

/**
 * The error for `archive` going over a cap: what it did, and the setting to
 * raise when the archive is trusted. Nothing of it is left on disk.
 */
export function limitExceeded(archive: string, over: ExceededLimit): IvpmError {
  const [what, setting] = over.kind === "size"
    ? [`it unpacks to more than ${formatByteSize(over.limit)}`, SIZE]
    : over.kind === "ratio"
    ? [
      `it unpacks to more than ${over.limit} times its size ` +
      `(${formatByteSize(over.unpacked)} so far from ${formatByteSize(over.archiveBytes)})`,
      RATIO,
    ]
    : [`it holds more than ${over.limit} entries`, ENTRIES];
  return new IvpmError(`Stopped extracting ${archive}: ${what}, the limit of ${setting.env}`, {
    hint: `nothing was extracted; it may be a decompression bomb: check where it comes from. If it is ` +
      `trusted, raise ${setting.env} or ${setting.flag} (e.g. ${setting.env}=${setting.example}; 0: no limit)`,
  });
}

/** The error for a zip entry that inflates to more bytes than its header declares. */
export function sizeLie(archive: string, entry: string, declared: number): IvpmError {
  return new IvpmError(
    `Refusing to extract ${archive}: entry '${entry}' unpacks to more than the ${declared} bytes it declares`,
    { hint: "the archive is unsafe or damaged; check where it comes from, nothing was extracted" },
  );
}
