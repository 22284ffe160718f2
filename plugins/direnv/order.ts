/**
 * Deterministic dependency order for the `source_env` lines: a package's
 * dependencies come before it, packages on the same level sort by name.
 *
 * @module
 */

/** What ordering needs of a package. */
export interface Node {
  /** Package name. */
  name: string;
  /** `root` or the package that declared it. */
  resolvedBy: string;
}

/** Code-unit order: the same on every machine, whatever the locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders `selected` (names of some of `all`) dependencies first. The edges are the
 * `resolvedBy` links — a package depends on the packages it declared — followed through
 * packages that are not selected, so a transitive dependency still comes first. Each
 * package's level is the length of the longest dependency chain below it among the
 * selected; the order is by level, then by name (the original's topological layers,
 * minus the set-iteration order inside a layer).
 */
export function dependencyOrder(selected: string[], all: Node[]): string[] {
  const chosen = new Set(selected);
  const declaredBy = new Map(all.map((p) => [p.name, p.resolvedBy]));
  const children = new Map<string, string[]>();
  for (const name of chosen) {
    // Nearest selected package above this one (cycles cannot occur, but never loop on bad data).
    const seen = new Set([name]);
    let up = declaredBy.get(name);
    while (up !== undefined && !chosen.has(up) && !seen.has(up)) {
      seen.add(up);
      up = declaredBy.get(up);
    }
    if (up !== undefined && chosen.has(up) && up !== name) {
      children.set(up, [...(children.get(up) ?? []), name]);
    }
  }
  const level = new Map<string, number>();
  const levelOf = (name: string, path: Set<string>): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    let l = 0;
    for (const c of children.get(name) ?? []) {
      if (!path.has(c)) l = Math.max(l, levelOf(c, new Set([...path, c])) + 1);
    }
    level.set(name, l);
    return l;
  };
  return [...chosen].sort((a, b) => levelOf(a, new Set([a])) - levelOf(b, new Set([b])) || byName(a, b));
}
