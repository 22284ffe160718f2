/**
 * Sizes as people write them (`500M`, `8G`, `1.5GiB`, `4096`) and as ivpm prints them.
 *
 * @module
 */

const UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * The number of bytes `text` names, or `undefined` when it is not a size: a
 * number (fractions allowed) with an optional unit `K`, `M`, `G` or `T`
 * (powers of 1024, any case, optionally followed by `iB` or `B`); no unit
 * means bytes. The result is rounded down to a whole number; a size that is not
 * zero but rounds down to it (`0.5`, half a byte) is not a size, so that it is
 * never read as `0`, which the caps take for "no limit".
 *
 * @example
 * ```ts
 * parseByteSize("500M"); // 524288000
 * parseByteSize("1.5GiB"); // 1610612736
 * parseByteSize("lots"); // undefined
 * parseByteSize("0.5"); // undefined (not 0)
 * ```
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  return bytes === 0 && Number(m[1]) !== 0 ? undefined : bytes;
}

/**
 * `bytes` in the largest binary unit that keeps it at 1 or more, with at most
 * one decimal: `512 B`, `1.5 KiB`, `8 GiB`.
 */
export function formatByteSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const shown = i === 0 ? String(value) : String(Math.floor(value * 10) / 10);
  return `${shown} ${units[i]}`;
}
