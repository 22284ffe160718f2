/**
 * What a source type (`src:`) is: its name, the dependency keys it accepts and,
 * once implemented, how it fetches. Sources are registered by name so a plugin
 * can add one.
 *
 * @module
 */

import type { Schema } from "../config/schema.ts";

/** Static description of a source type, enough to validate `ivpm.yaml` and print help. */
export interface SourceInfo {
  /** The `src:` value. */
  name: string;
  description: string;
  /** Dependency keys this source accepts besides the common ones. */
  keys: Record<string, Schema>;
  /** Keys that must be present. */
  required?: readonly string[];
  /** Creates no `packages/<name>` directory (pypi, npm, ivpm.yaml factories…). */
  virtual?: boolean;
  /** Where it comes from: `built-in` or a plugin spec. */
  origin: string;
}
