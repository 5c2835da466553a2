import { pointerSegment, restDescription } from "./schema.js";

/** One operation of GitHub's REST description. */
export interface Operation {
  /** Upper case: `GET`, `POST` … */
  readonly method: string;
  /** The path template as the description writes it: `/repos/{owner}/{repo}`. */
  readonly route: string;
  readonly operationId: string;
  /** The operation object (parameters, requestBody, responses). */
  readonly op: any;
  /** JSON pointer of the operation object in the description. */
  readonly pointer: string;
}

/** What a request path and method resolve to. */
export type RouteMatch =
  | { readonly kind: "operation"; readonly operation: Operation; readonly params: Record<string, string> }
  /** The path is in the description but not with this method. */
  | { readonly kind: "method-unknown"; readonly route: string }
  | { readonly kind: "path-unknown" };

interface Template {
  readonly route: string;
  readonly segments: readonly string[];
  /** One letter per segment, L (literal) or P (parameter): the lexically least wins (literals first, left to right). */
  readonly rank: string;
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * Resolves requests to the description's operations the way GitHub's router does: among the
 * templates whose segment count and literals match, the one with a literal earliest wins.
 */
export class Router {
  private readonly byLength = new Map<number, Template[]>();
  private readonly paths: Record<string, any>;

  constructor() {
    this.paths = restDescription().doc.paths;
    for (const route of Object.keys(this.paths)) {
      const segments = route.split("/").slice(1);
      const t: Template = { route, segments, rank: segments.map((s) => (s.startsWith("{") ? "P" : "L")).join("") };
      const list = this.byLength.get(segments.length) ?? [];
      list.push(t);
      this.byLength.set(segments.length, list);
    }
    for (const list of this.byLength.values()) list.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  }

  /** The operation for `method` `pathname` (pathname as sent: percent-encoded, no query). */
  match(method: string, pathname: string): RouteMatch {
    const parts = pathname.split("/").slice(1);
    if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      return { kind: "path-unknown" };
    }
    let pathRoute: string | null = null;
    for (const t of this.byLength.get(decoded.length) ?? []) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < t.segments.length && ok; i++) {
        const s = t.segments[i]!;
        const value = decoded[i]!;
        if (s.startsWith("{") && s.endsWith("}")) {
          if (value === "") ok = false;
          else params[s.slice(1, -1)] = value;
        } else if (s !== value) ok = false;
      }
      if (!ok) continue;
      pathRoute ??= t.route;
      const op = this.paths[t.route][method.toLowerCase()];
      if (op && methods.includes(method.toLowerCase())) {
        const operation: Operation = {
          method: method.toUpperCase(),
          route: t.route,
          operationId: op.operationId,
          op,
          pointer: `/paths/${pointerSegment(t.route)}/${method.toLowerCase()}`,
        };
        return { kind: "operation", operation, params };
      }
    }
    return pathRoute === null ? { kind: "path-unknown" } : { kind: "method-unknown", route: pathRoute };
  }
}
