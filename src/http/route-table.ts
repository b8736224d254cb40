// The routes an express app really serves, read from its router stack: what the OpenAPI document is checked
// against (test/integration/openapi.test.ts). Reads express 5 / router 2 internals (layer.rawPath, route.methods),
// so it lives in one place.
import type { Express } from 'express';

export interface RouteEntry {
  /** Path in OpenAPI form: `/soda/async/{id}`. */
  path: string;
  /**
   * Upper-case methods with their own handlers; empty when the handler takes every method and dispatches
   * itself (route.all(...) or a mounted middleware endpoint such as /files/raw).
   */
  methods: string[];
  /** A middleware mounted on a path prefix (it answers the prefix and every path below it). */
  prefix: boolean;
  /** Set for routes declared with a regular expression (path is then its source, for messages). */
  regexp?: RegExp;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] } & ((...a: unknown[]) => unknown);
  name?: string;
}

/** `/:id` and `/:stepId/:fileName` become `{id}` and `{stepId}/{fileName}`. */
function openApiPath(p: string): string {
  const joined = p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/:(\w+)/g, '{$1}');
}

function join(prefix: string, p: string): string {
  return openApiPath(`${prefix}/${p}`);
}

/** Route paths may be strings, regular expressions or arrays of both (express 5). */
function routeEntries(prefix: string, p: unknown, methods: string[]): RouteEntry[] {
  if (Array.isArray(p)) return p.flatMap((x) => routeEntries(prefix, x, methods));
  if (p instanceof RegExp) {
    // A regexp is matched against the path below the mount point: anchor it on the prefix for the caller.
    const re = prefix ? new RegExp(`^${prefix.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}(?:${p.source.replace(/^\^/, '')})`) : p;
    return [{ path: `${prefix}${p.source}`, methods, prefix: false, regexp: re }];
  }
  if (typeof p !== 'string') throw new Error(`route-table: unsupported route path ${String(p)}`);
  return [{ path: join(prefix, p), methods, prefix: false }];
}

function walk(stack: Layer[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => m.toUpperCase());
      out.push(...routeEntries(prefix, layer.route.path, methods));
      continue;
    }
    const mount = layer.rawPath === undefined ? '/' : layer.rawPath;
    if (typeof mount !== 'string') throw new Error(`route-table: unsupported mount path ${String(mount)}`);
    if (Array.isArray(layer.handle.stack)) {
      walk(layer.handle.stack, mount === '/' ? prefix : join(prefix, mount), out);
    } else if (mount !== '/' && layer.handle.length < 4) {
      // A plain middleware on a path is an endpoint that dispatches itself (e.g. /files/raw/*).
      out.push({ path: join(prefix, mount), methods: [], prefix: true });
    }
  }
}

/**
 * Every route of the app, in registration order, with the methods of routes declared per method merged
 * (express keeps `r.get(p)` and `r.all(p)` as two layers).
 */
export function routeTable(app: Express): RouteEntry[] {
  const raw: RouteEntry[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', raw);
  const byPath = new Map<string, RouteEntry>();
  for (const r of raw) {
    const seen = byPath.get(r.path);
    if (!seen) byPath.set(r.path, { ...r, methods: [...r.methods] });
    else {
      for (const m of r.methods) if (!seen.methods.includes(m)) seen.methods.push(m);
      seen.prefix ||= r.prefix;
    }
  }
  return [...byPath.values()];
}
