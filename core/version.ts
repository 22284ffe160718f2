/** The ivpm version (kept in step with deno.json's "version"). */
export const VERSION = "0.1.0";
