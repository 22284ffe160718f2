/**
 * The handler registry: every handler class by name, where it came from, and
 * the plain metadata `show`, `--help` and ordering need (cacheable, so a command
 * that runs no handler need not evaluate plugin code).
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import { type JsonSchema, toJsonSchema } from "../config/schema.ts";
import type { ObjectSchema } from "../config/schema.ts";
import { type CliOption, type HandlerClass, PackageHandler } from "../plugin_api/handler.ts";
import { type HandlerPhaseName, normalizePhase } from "../plugin_api/phase.ts";

/** Permissions granted to a plugin's code (from its config entry). */
export interface PluginGrant {
  read?: string[];
  write?: string[];
  run?: string[];
  net?: string[];
  env?: string[];
  /** Seconds one callback may run before its worker is stopped (default: the update's limit). */
  timeout?: number;
}

/** Where a handler's code lives, so a worker can load it. */
export interface HandlerOrigin {
  /** `built-in` or the plugin spec. */
  origin: string;
  /** Module URL a worker imports (file:, data:); undefined for built-ins (statically linked). */
  moduleUrl?: string;
  /** Export name of the class in that module. */
  exportName?: string;
  /** Permissions granted to third-party code; undefined = trusted (built-in). */
  grant?: PluginGrant;
  /** Options schema from cached metadata (plugins registered without their class). */
  optionsSchema?: ObjectSchema;
}

/** Plain metadata of a handler. */
export interface HandlerMeta {
  name: string;
  description: string;
  phase: HandlerPhaseName;
  runAfter: string[];
  runBefore: string[];
  leafWhen: string[] | null;
  rootWhen: string[] | null;
  /** Overrides `onLeafPreLoad` / `onLeafPostLoad` (and leafWhen is not `[]`). */
  leaf: { pre: boolean; post: boolean };
  options?: JsonSchema;
  cliOptions: CliOption[];
  origin: string;
}

/** A registered handler. Plugins loaded from cached metadata have no class on the main thread. */
export interface RegisteredHandler extends HandlerOrigin {
  cls?: HandlerClass;
  meta: HandlerMeta;
}

function overrides(cls: HandlerClass, method: keyof PackageHandler): boolean {
  return cls.prototype[method] !== PackageHandler.prototype[method];
}

/** Extracts the plain metadata of a handler class. */
export function handlerMeta(cls: HandlerClass, origin: string): HandlerMeta {
  if (!(cls.prototype instanceof PackageHandler)) {
    throw new IvpmError(`${origin}: '${cls.name}' does not extend PackageHandler`, {
      hint: 'import { PackageHandler } from "@ivpm/plugin" and extend it',
    });
  }
  let phase: HandlerPhaseName;
  try {
    phase = normalizePhase(cls.phase);
  } catch (e) {
    throw new IvpmError(`handler '${cls.name}' (${origin}): ${(e as Error).message}`);
  }
  const conds = (c: readonly unknown[] | null) =>
    c === null || c === undefined ? null : c.map((f) => String(f));
  const noLeaf = Array.isArray(cls.leafWhen) && cls.leafWhen.length === 0;
  return {
    name: cls.name,
    description: cls.description ?? "",
    phase,
    runAfter: [...(cls.runAfter ?? [])],
    runBefore: [...(cls.runBefore ?? [])],
    leafWhen: conds(cls.leafWhen),
    rootWhen: conds(cls.rootWhen),
    leaf: {
      pre: !noLeaf && overrides(cls, "onLeafPreLoad"),
      post: !noLeaf && overrides(cls, "onLeafPostLoad"),
    },
    options: cls.options ? toJsonSchema(cls.options) : undefined,
    cliOptions: [...(cls.cliOptions ?? [])],
    origin,
  };
}

/** Handlers by name. */
export class HandlerRegistry {
  #handlers = new Map<string, RegisteredHandler>();

  /** Registers a handler class; a name clash is an error naming both origins. */
  register(cls: HandlerClass, origin: HandlerOrigin = { origin: "built-in" }): RegisteredHandler {
    const meta = handlerMeta(cls, origin.origin);
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(meta.name)) {
      throw new IvpmError(`handler name '${meta.name}' (${origin.origin}) is not valid`, {
        hint: 'set `static override name = "my-handler"` (letters, digits, . _ -)',
      });
    }
    const prev = this.#handlers.get(meta.name);
    if (prev) {
      throw new IvpmError(
        `handler '${meta.name}' is registered twice (by ${prev.origin} and by ${origin.origin})`,
        {
          hint: "remove one of the plugins, or ask its author to rename the handler",
        },
      );
    }
    const r = { ...origin, cls, meta };
    this.#handlers.set(meta.name, r);
    return r;
  }

  /**
   * Registers a plugin handler by its cached metadata only: its code runs in
   * workers, never on the main thread.
   */
  registerMeta(meta: HandlerMeta, origin: HandlerOrigin & { moduleUrl: string }): RegisteredHandler {
    const prev = this.#handlers.get(meta.name);
    if (prev) {
      throw new IvpmError(
        `handler '${meta.name}' is registered twice (by ${prev.origin} and by ${origin.origin})`,
        {
          hint: "remove one of the plugins, or ask its author to rename the handler",
        },
      );
    }
    const r: RegisteredHandler = { ...origin, meta: { ...meta, origin: origin.origin } };
    this.#handlers.set(meta.name, r);
    return r;
  }

  /** A handler by name. */
  get(name: string): RegisteredHandler | undefined {
    return this.#handlers.get(name);
  }

  /** Every handler, sorted by name. */
  list(): RegisteredHandler[] {
    return [...this.#handlers.values()].sort((
      a,
      b,
    ) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
  }

  /** Option schemas by handler name (for validating `package.with`). */
  optionSchemas(): Record<string, ObjectSchema> {
    const out: Record<string, ObjectSchema> = {};
    for (const h of this.list()) {
      out[h.meta.name] = h.cls?.options ?? h.optionsSchema ?? { kind: "object", properties: {}, open: true };
    }
    return out;
  }
}
