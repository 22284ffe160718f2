/**
 * The handler engine: one instance per update. Computes the root-phase DAG up
 * front (a cycle aborts before anything runs), dispatches leaf callbacks to
 * worker pools as packages land, then runs root callbacks in DAG order and
 * gathers lock and state contributions.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import { evaluateConditions } from "../plugin_api/conditions.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import type { PackageHandler } from "../plugin_api/handler.ts";
import type { PackageView } from "../plugin_api/package_view.ts";
import { LeafPool, type PoolResult } from "./leaf_pool.ts";
import { computeOrder, type HandlerOrder } from "./order.ts";
import type { HandlerRegistry, PluginGrant, RegisteredHandler } from "./registry.ts";
import type { InitMessage } from "./worker_protocol.ts";
import { RootWorker } from "./rpc.ts";
import { grantPermissions } from "./permissions.ts";
import { HandlerTimeoutError } from "./timeouts.ts";
import { outputDirOf } from "./write_policy.ts";

/**
 * Exchange keys built-in handlers publish, by publisher: a plugin may not set them even when that
 * handler does not run (the agents handler links the `pythonSkillDirs` it finds).
 */
const BUILTIN_EXCHANGE_KEYS: Readonly<Record<string, string>> = { pythonSkillDirs: "python" };

/** Options of {@link HandlerEngine}. */
export interface EngineOptions {
  registry: HandlerRegistry;
  projectDir: string;
  depsDir: string;
  /** `package.with` of the root ivpm.yaml. */
  withConfig: Record<string, Record<string, unknown>>;
  /** Parsed CLI values of handler-added options, by handler. */
  args?: Record<string, Record<string, unknown>>;
  /** `ivpm.json` handler state of the previous run. */
  state?: Record<string, unknown>;
  jobs: number;
  cacheDir?: string | null;
  emit?: (e: HandlerEvent) => void;
  warn: (message: string) => void;
  /** Receives notes (shown with -v); default: dropped. */
  note?: (message: string) => void;
  /** Limit of one package's leaf callbacks (a plugin's own `timeout` wins). */
  leafTimeoutMs?: number;
  /** Limit of one root callback (a plugin's own `timeout` wins). */
  rootTimeoutMs?: number;
  /** Aborting (Ctrl-C, SIGTERM) terminates every worker at once. */
  signal?: AbortSignal;
  /** Settings of the active site config, offered to handlers as `info.site`. */
  site?: import("../plugin_api/site_config.ts").SiteSettings;
  /**
   * The environment of the run, offered as `info.env`: whole to built-ins, only the granted names to plugins
   * (default: the process's).
   */
  env?: Record<string, string>;
}

const CORE_DIR = dirname(dirname(fromFileUrl(import.meta.url)));

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type RootInfoArg = Parameters<PackageHandler["onRootPostLoad"]>[0];

/**
 * What one package's leaf callbacks left behind (records by handler), for reuse by the
 * next update; `clean` turns false when a handler warned or failed (its message must show again).
 */
export interface LeafTally {
  records: Record<string, unknown[]>;
  clean: boolean;
}

/** Runs the handlers of one update. */
export class HandlerEngine {
  readonly order: HandlerOrder;
  #instances = new Map<string, PackageHandler>();
  #rootWorkers = new Map<string, RootWorker>();
  #exchange: Record<string, unknown> = {};
  #pools = new Map<string, { pool: LeafPool; handlers: string[] }>();
  #records = new Map<string, { order: number; package: string; record: unknown }[]>();
  #leafOver = false;
  #workersStarted = 0;

  constructor(readonly opts: EngineOptions) {
    this.order = computeOrder(opts.registry.list().map((h) => h.meta));
    for (const w of this.order.warnings) opts.warn(w);
  }

  #handlers(): RegisteredHandler[] {
    return this.order.order.map((n) => this.opts.registry.get(n)!);
  }

  #instance(h: RegisteredHandler): PackageHandler {
    let inst = this.#instances.get(h.meta.name);
    if (!inst) {
      inst = new h.cls!();
      this.#instances.set(h.meta.name, inst);
    }
    return inst;
  }

  /** Third-party handlers (and any without a class here) run root callbacks in their plugin's worker. */
  #isRemote(h: RegisteredHandler): boolean {
    return !!h.grant || !h.cls;
  }

  #rootWorker(h: RegisteredHandler): RootWorker {
    let w = this.#rootWorkers.get(h.origin);
    if (w) return w;
    const members = this.#handlers().filter((x) => x.origin === h.origin && this.#isRemote(x));
    const grant = h.grant ?? {};
    const outputDirs = this.#outputDirs(members);
    // Its own output directories and what its grant names; the write policy narrows the grant under
    // the deps dir (never ivpm's state, a venv, another handler's files).
    const perms = this.#sandbox(
      { ...grant, write: [...Object.values(outputDirs), ...(grant.write ?? [])] },
      members,
    );
    w = new RootWorker({
      entry: new URL("./sandbox_worker.ts", import.meta.url),
      permissions: perms,
      init: {
        type: "init",
        modules: members.map((m) => ({
          handler: m.meta.name,
          url: m.moduleUrl!,
          exportName: m.exportName ?? m.meta.name,
        })),
        builtins: [],
        projectDir: this.opts.projectDir,
        depsDir: this.opts.depsDir,
        configs: Object.fromEntries(members.map((m) => [m.meta.name, this.#config(m.meta.name)])),
        args: Object.fromEntries(members.map((m) => [m.meta.name, this.opts.args?.[m.meta.name] ?? {}])),
        site: this.opts.site,
        envs: this.#envs(members),
        outputDirs,
        grantWrite: grant.write ?? [],
      },
      onEvent: (e) => this.opts.emit?.(e),
      onDiag: (d) => this.#pluginDiag(members, h.origin, d),
      timeoutMs: grant.timeout ? grant.timeout * 1000 : this.opts.rootTimeoutMs,
      signal: this.opts.signal,
      label: h.origin,
    });
    this.#rootWorkers.set(h.origin, w);
    return w;
  }

  /** Calls a root-phase method locally or in the plugin's worker. */
  async #call(
    h: RegisteredHandler,
    method: "preLoad" | "rootWhen" | "postLoad" | "lockEntries" | "stateEntries" | "destroy",
    arg?: unknown,
  ): Promise<unknown> {
    if (this.#isRemote(h)) {
      // Functions (emit) do not cross the worker boundary; the worker adds its own.
      const plain = arg && typeof arg === "object" && !Array.isArray(arg)
        ? Object.fromEntries(Object.entries(arg).filter(([, v]) => typeof v !== "function"))
        : arg;
      const packages = method === "postLoad" ? (arg as RootInfoArg).packages : [];
      const r = await this.#rootWorker(h).call(h.meta.name, method, plain, this.#realRoots(packages));
      if (method === "postLoad" && r && typeof r === "object" && "exchange" in r) {
        this.#mergeExchange(h, (r as { exchange: Record<string, unknown> }).exchange);
      }
      return r;
    }
    const inst = this.#instance(h);
    switch (method) {
      case "preLoad":
        return await inst.onRootPreLoad(arg as RootInfoArg);
      case "rootWhen":
        return await evaluateConditions(h.cls!.rootWhen, arg as PackageView[]);
      case "postLoad": {
        inst.records = (arg as RootInfoArg).records;
        const before = new Map(Object.entries(this.#exchange));
        const r = await inst.onRootPostLoad(arg as RootInfoArg);
        for (const [k, v] of Object.entries(this.#exchange)) {
          if (!before.has(k) || before.get(k) !== v) this.#exchangeOwner.set(k, h.meta.name);
        }
        return r;
      }
      case "lockEntries":
        return await inst.getLockEntries(arg as string);
      case "stateEntries":
        return await inst.getStateEntries();
      case "destroy":
        return await inst.onDestroy(arg as Parameters<PackageHandler["onDestroy"]>[0]);
    }
  }

  /** Which handler set each exchange key first: a later handler may not replace what another published. */
  #exchangeOwner = new Map<string, string>();

  /** Merges the keys a plugin's root callback set, except keys another handler published. */
  #mergeExchange(h: RegisteredHandler, from: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(from ?? {})) {
      const owner = this.#exchangeOwner.get(k) ?? BUILTIN_EXCHANGE_KEYS[k];
      if (owner !== undefined && owner !== h.meta.name) {
        if (JSON.stringify(this.#exchange[k]) !== JSON.stringify(v)) {
          this.opts.warn(
            `plugin ${h.origin}: handler '${h.meta.name}' tried to set exchange key '${k}', which belongs to handler ` +
              `'${owner}'; ignored`,
          );
        }
        continue;
      }
      this.#exchange[k] = v;
      this.#exchangeOwner.set(k, h.meta.name);
    }
  }

  /** Real roots of `packages` as seen here (the worker's guard accepts a linked package root only then). */
  #realRoots(packages: PackageView[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of packages) {
      try {
        out[p.path] = Deno.realPathSync(p.path);
      } catch {
        // Virtual or not there: nothing to vouch for.
      }
    }
    return out;
  }

  /** Each handler's own output directory, created now (a plugin writes under `packages/` only there). */
  #outputDirs(members: RegisteredHandler[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of members) {
      const dir = outputDirOf(this.opts.depsDir, m.meta.name);
      Deno.mkdirSync(dir, { recursive: true });
      out[m.meta.name] = dir;
    }
    return out;
  }

  /**
   * A diagnostic from a plugin's worker is filed under the handler it names only when that handler is the
   * plugin's own; otherwise under the plugin (a plugin must not speak for a built-in).
   */
  #pluginDiag(
    members: RegisteredHandler[],
    origin: string,
    d: { severity: "warning" | "note"; handler: string; message: string },
  ): void {
    const own = members.some((m) => m.meta.name === d.handler);
    this.#diag(d.severity, own ? d.handler : `plugin ${origin}`, d.message);
  }

  #diag(severity: "warning" | "note", handler: string, message: string): void {
    const text = `${handler}: ${message}`;
    if (severity === "warning") this.opts.warn(text);
    else this.opts.note?.(text);
  }

  /** What every info of `h` carries besides the data: its environment and its ways to report. */
  #say(h: RegisteredHandler) {
    const name = h.meta.name;
    return {
      env: this.#envFor(h),
      outputDir: this.#outputDir(h),
      warn: (m: string) => this.#diag("warning", name, m),
      note: (m: string) => this.#diag("note", name, m),
    };
  }

  #runEnv?: Record<string, string>;

  /** What `info.env` holds for `h`: the run's environment for a built-in, the granted names for a plugin. */
  #envFor(h: RegisteredHandler): Record<string, string> | undefined {
    // Frozen: every built-in gets the same object, and one handler must not change what the next one sees.
    const env = this.#runEnv ??= Object.freeze({ ...(this.opts.env ?? Deno.env.toObject()) });
    if (!h.grant) return env;
    const names = h.grant.env ?? [];
    if (!names.length) return undefined;
    return Object.fromEntries(names.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]]])));
  }

  #envs(members: RegisteredHandler[]): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const m of members) {
      const e = this.#envFor(m);
      if (e) out[m.meta.name] = e;
    }
    return out;
  }

  #config(name: string): Record<string, unknown> {
    return this.opts.withConfig[name] ?? {};
  }

  /** `onRootPreLoad` for every handler (root conditions are not evaluated yet). */
  async preLoad(): Promise<void> {
    for (const h of this.#handlers()) {
      try {
        await this.#call(h, "preLoad", this.#rootInfo(h, [], []));
      } catch (e) {
        throw new IvpmError(`handler '${h.meta.name}' failed before the update: ${errorText(e)}`, {
          cause: e,
        });
      }
    }
  }

  #rootInfo(h: RegisteredHandler, packages: PackageView[], records: { package: string; record: unknown }[]) {
    const name = h.meta.name;
    return {
      projectDir: this.opts.projectDir,
      depsDir: this.opts.depsDir,
      config: this.#config(name),
      args: this.opts.args?.[name] ?? {},
      emit: this.opts.emit ? (e: HandlerEvent) => this.opts.emit!({ ...e, handler: name }) : undefined,
      packages,
      records,
      state: this.opts.state?.[name] as Record<string, unknown> | undefined,
      site: this.opts.site,
      exchange: this.#exchange,
      ...this.#say(h),
    };
  }

  /** `info.outputDir` of `h` (created for plugins when their worker starts). */
  #outputDir(h: RegisteredHandler): string {
    return outputDirOf(this.opts.depsDir, h.meta.name);
  }

  /** Built-ins share one trusted pool; each plugin gets pools of its own (no shared JavaScript realm). */
  #poolKey(h: RegisteredHandler): string {
    return h.grant ? `plugin:${h.origin}` : "trusted";
  }

  #poolFor(h: RegisteredHandler): { pool: LeafPool; handlers: string[] } {
    const key = this.#poolKey(h);
    let entry = this.#pools.get(key);
    if (entry) return entry;
    const members = this.#handlers().filter((x) =>
      (x.meta.leaf.pre || x.meta.leaf.post) && this.#poolKey(x) === key
    );
    const init: InitMessage = {
      type: "init",
      modules: members.filter((m) => m.moduleUrl).map((m) => ({
        handler: m.meta.name,
        url: m.moduleUrl!,
        exportName: m.exportName ?? m.meta.name,
      })),
      builtins: members.filter((m) => !m.moduleUrl).map((m) => m.meta.name),
      projectDir: this.opts.projectDir,
      depsDir: this.opts.depsDir,
      configs: Object.fromEntries(members.map((m) => [m.meta.name, this.#config(m.meta.name)])),
      args: Object.fromEntries(members.map((m) => [m.meta.name, this.opts.args?.[m.meta.name] ?? {}])),
      site: this.opts.site,
      envs: this.#envs(members),
      ...(h.grant
        ? { outputDirs: this.#outputDirs(members), grantWrite: h.grant.write ?? [] }
        : { outputDirs: Object.fromEntries(members.map((m) => [m.meta.name, this.#outputDir(m)])) }),
    };
    const pool = new LeafPool({
      entry: new URL(h.grant ? "./sandbox_worker.ts" : "./trusted_worker.ts", import.meta.url),
      permissions: h.grant
        ? this.#sandbox(
          { ...h.grant, write: [...Object.values(init.outputDirs!), ...(h.grant.write ?? [])] },
          members,
        )
        : undefined,
      // More workers than cores only costs start-up time and memory.
      size: Math.min(this.opts.jobs, navigator.hardwareConcurrency || 4),
      init,
      timeoutMs: h.grant?.timeout ? h.grant.timeout * 1000 : this.opts.leafTimeoutMs,
      signal: this.opts.signal,
      label: h.grant ? h.origin : undefined,
      onEvent: (e) => this.opts.emit?.(e),
      onDiag: (d) =>
        h.grant ? this.#pluginDiag(members, h.origin, d) : this.#diag(d.severity, d.handler, d.message),
    });
    entry = { pool, handlers: members.map((m) => m.meta.name) };
    this.#pools.set(key, entry);
    return entry;
  }

  #sandbox(grant: PluginGrant, members: RegisteredHandler[]): Deno.PermissionOptionsObject {
    const moduleFiles = members.flatMap((m) =>
      m.moduleUrl?.startsWith("file:") ? [fromFileUrl(m.moduleUrl)] : []
    );
    return grantPermissions(grant, {
      read: [
        this.opts.projectDir,
        this.opts.depsDir,
        CORE_DIR, // the worker entry and the plugin API it imports
        ...moduleFiles,
        ...(this.opts.cacheDir ? [this.opts.cacheDir] : []),
      ],
    });
  }

  /**
   * Starts up to `count` leaf workers per pool now, so their start-up overlaps with a fetch (call once leaf
   * work is certain: one package to fetch needs one worker, not a full pool).
   */
  prewarm(count?: number): void {
    if (this.#leafOver) return;
    for (const h of this.#handlers()) {
      if (h.meta.leaf.pre || h.meta.leaf.post) this.#poolFor(h).pool.warm(count);
    }
  }

  /** Workers the leaf pools started so far (0 on an update whose leaf results were all reused). */
  get leafWorkersStarted(): number {
    return this.#workersStarted + [...this.#pools.values()].reduce((n, e) => n + e.pool.started, 0);
  }

  /**
   * Everything besides the package view that leaf callbacks depend on: which handlers run them (and their
   * code), their `with:` config, CLI values, the site settings and the directories. Plain data, for a hash.
   */
  leafFingerprint(): unknown {
    const leafHandlers = this.#handlers().filter((h) => h.meta.leaf.pre || h.meta.leaf.post);
    return {
      handlers: leafHandlers.map((h) => ({
        name: h.meta.name,
        origin: h.origin,
        module: h.moduleUrl ?? null,
        exportName: h.exportName ?? null,
        grant: h.grant ?? null,
        leaf: h.meta.leaf,
        leafWhen: h.meta.leafWhen,
        config: this.#config(h.meta.name),
        args: this.opts.args?.[h.meta.name] ?? {},
        // A plugin's leaf results may depend on the variables it was granted (built-in leaf callbacks read none).
        env: h.grant ? this.#envFor(h) ?? null : null,
      })),
      site: this.opts.site ?? null,
      projectDir: this.opts.projectDir,
      depsDir: this.opts.depsDir,
    };
  }

  /** Adds a package's records from a previous run, as if its leaf callbacks had just collected them. */
  replay(pkgName: string, order: number, records: Record<string, unknown[]>): void {
    for (const [handler, recs] of Object.entries(records)) {
      if (!Array.isArray(recs)) continue;
      const list = this.#records.get(handler) ?? [];
      for (const record of recs) list.push({ order, package: pkgName, record });
      this.#records.set(handler, list);
    }
  }

  /** Whether any handler has leaf callbacks of this kind. */
  hasLeaf(phase: "pre" | "post"): boolean {
    return this.#handlers().some((h) => h.meta.leaf[phase]);
  }

  /**
   * Runs leaf callbacks on one package; returns the view with `pkgType` / `typeData`
   * as handlers left them. A `HandlerFatalError` becomes an {@link IvpmError} that
   * fails the update; other errors are warnings naming handler and package.
   */
  async leaf(
    phase: "pre" | "post",
    pkg: PackageView,
    order: number,
    tally?: LeafTally,
  ): Promise<PackageView> {
    const wanted = this.#handlers().filter((h) => h.meta.leaf[phase]);
    if (!wanted.length) return pkg;
    // Trusted (built-in) handlers first, then each sandbox; in name order within a pool.
    const groups = new Map<string, string[]>();
    for (
      const h of [...wanted].sort((a, b) =>
        (a.grant ? 1 : 0) - (b.grant ? 1 : 0) ||
        (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0)
      )
    ) {
      const entry = this.#poolFor(h);
      const key = [...this.#pools.entries()].find(([, v]) => v === entry)![0];
      groups.set(key, [...(groups.get(key) ?? []), h.meta.name]);
    }
    let view = pkg;
    const roots = this.#realRoots([pkg]);
    for (const [key, names] of groups) {
      const { pool } = this.#pools.get(key)!;
      let r: PoolResult;
      try {
        r = await pool.run({
          type: "leaf",
          id: order * 2 + (phase === "pre" ? 0 : 1),
          phase,
          pkg: view,
          handlers: names,
          roots,
        });
      } catch (e) {
        if (e instanceof HandlerTimeoutError || this.opts.signal?.aborted) throw e;
        if (e instanceof IvpmError && /loading handlers/.test(e.message)) throw e;
        this.opts.warn(`leaf handlers (${names.join(", ")}) on package '${pkg.name}': ${errorText(e)}`);
        if (tally) tally.clean = false;
        continue;
      }
      if (tally && (r.warnings.length || r.diags)) tally.clean = false;
      // Who a record, warning or failure belongs to is decided by the pool it came from, not by what the
      // worker says: plugin code in a worker can post any message (even a patched postMessage's).
      const from = (handler: string) =>
        names.includes(handler) ? `handler '${handler}'` : this.#poolLabel(key);
      for (const w of r.warnings) {
        this.opts.warn(`${from(w.handler)} failed on package '${pkg.name}': ${w.message}`);
      }
      for (const rec of r.records) {
        if (!names.includes(rec.handler)) {
          this.opts.warn(
            `${this.#poolLabel(key)} sent records for handler '${rec.handler}', which is not its own, on ` +
              `package '${pkg.name}'; dropped`,
          );
          if (tally) tally.clean = false;
          continue;
        }
        const list = this.#records.get(rec.handler) ?? [];
        for (const record of rec.records) list.push({ order, package: pkg.name, record });
        this.#records.set(rec.handler, list);
        if (tally) (tally.records[rec.handler] ??= []).push(...rec.records);
      }
      if (r.fatal) {
        throw new IvpmError(
          `${from(r.fatal.handler)} stopped the update on package '${pkg.name}': ${r.fatal.message}`,
        );
      }
      view = { ...view, pkgType: r.pkgType, typeData: r.typeData };
    }
    return view;
  }

  /** Who runs in a pool, for messages: the built-ins, or the plugin by its spec. */
  #poolLabel(key: string): string {
    return key.startsWith("plugin:") ? `plugin ${key.slice("plugin:".length)}` : "the built-in handlers";
  }

  /** Root callbacks in DAG order, each when its `rootWhen` holds on all packages. */
  async root(packages: PackageView[]): Promise<string[]> {
    this.#closeLeafPools(); // leaf work is over; free the workers before the heavy root work
    const ran: string[] = [];
    for (const h of this.#handlers()) {
      if (!(await this.#call(h, "rootWhen", packages))) continue;
      const records = (this.#records.get(h.meta.name) ?? [])
        .map((r, i) => ({ ...r, i }))
        .sort((a, b) => a.order - b.order || a.i - b.i)
        .map(({ package: p, record }) => ({ package: p, record }));
      try {
        await this.#call(h, "postLoad", this.#rootInfo(h, packages, records));
      } catch (e) {
        if (e instanceof HandlerTimeoutError || this.opts.signal?.aborted) throw e;
        throw new IvpmError(`handler '${h.meta.name}' failed: ${errorText(e)}`, {
          cause: e,
          hint: e instanceof IvpmError ? e.hint : "re-run with --log-level DEBUG for details",
        });
      }
      ran.push(h.meta.name);
    }
    return ran;
  }

  /** Lock contributions of every handler; two handlers writing the same key is an error. */
  async lockEntries(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const owner: Record<string, string> = {};
    for (const h of this.#handlers()) {
      const entries = (await this.#call(h, "lockEntries", this.opts.depsDir)) as
        | Record<string, unknown>
        | undefined;
      for (const [k, v] of Object.entries(entries ?? {})) {
        if (["ivpm_lock_version", "generated", "packages", "ivpm_sources", "sha256"].includes(k)) {
          throw new IvpmError(`handler '${h.meta.name}' tried to set the reserved lock key '${k}'`);
        }
        if (owner[k]) {
          throw new IvpmError(`handlers '${owner[k]}' and '${h.meta.name}' both write lock key '${k}'`);
        }
        owner[k] = h.meta.name;
        out[k] = v;
      }
    }
    return out;
  }

  /** State of every handler, for `ivpm.json`. */
  async stateEntries(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const h of this.#handlers()) {
      const s = await this.#call(h, "stateEntries");
      if (s !== undefined) out[h.meta.name] = s;
    }
    return out;
  }

  /** `build` of every handler in DAG order (`ivpm build`). */
  async build(packages: PackageView[], debug: boolean): Promise<void> {
    for (const h of this.#handlers()) {
      const name = h.meta.name;
      const info = {
        projectDir: this.opts.projectDir,
        depsDir: this.opts.depsDir,
        debug,
        packages,
        config: this.#config(name),
        args: this.opts.args?.[name] ?? {},
        site: this.opts.site,
        emit: this.opts.emit ? (e: HandlerEvent) => this.opts.emit!({ ...e, handler: name }) : undefined,
        ...this.#say(h),
      };
      try {
        if (this.#isRemote(h)) {
          const { emit: _e, warn: _w, note: _n, ...plain } = info;
          await this.#rootWorker(h).call(name, "build", plain);
        } else await this.#instance(h).build(info);
      } catch (e) {
        throw new IvpmError(`handler '${name}' failed to build: ${errorText(e)}`, { cause: e });
      }
    }
  }

  /** `onDestroy` in reverse DAG order; returns what each handler removed (or would remove). */
  async destroy(dryRun: boolean): Promise<{ handler: string; paths: string[] }[]> {
    const out: { handler: string; paths: string[] }[] = [];
    for (const h of [...this.#handlers()].reverse()) {
      const name = h.meta.name;
      const paths = await this.#call(h, "destroy", {
        projectDir: this.opts.projectDir,
        depsDir: this.opts.depsDir,
        dryRun,
        config: this.#config(name),
        state: this.opts.state?.[name] as Record<string, unknown> | undefined,
        emit: this.opts.emit ? (e: HandlerEvent) => this.opts.emit!({ ...e, handler: name }) : undefined,
        ...this.#say(h),
      });
      out.push({ handler: name, paths: (paths as string[] | undefined) ?? [] });
    }
    return out;
  }

  #closeLeafPools(): void {
    this.#leafOver = true;
    for (const { pool } of this.#pools.values()) {
      this.#workersStarted += pool.started;
      pool.close();
    }
    this.#pools.clear();
  }

  /** Terminates every worker. */
  close(): void {
    this.#closeLeafPools();
    for (const w of this.#rootWorkers.values()) w.close();
    this.#rootWorkers.clear();
  }
}
