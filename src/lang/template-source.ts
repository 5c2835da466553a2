import { posix } from "node:path";

/**
 * Where `template NAME from "SOURCE"` finds its template (pure: the engine loads it, the
 * compiler looks it up by `key`):
 * - a folder of the repository outside the project, written relative to the declaring file
 *   (`"../shared/templates"`): its `.lxm` files (not those of its subfolders);
 * - an npm package the project depends on (`"@acme/lexum-templates"`, or a folder inside it:
 *   `"@acme/lexum-templates/web"`): the `.lxm` files of that folder of the installed package.
 */
export type TemplateSource =
  | { readonly kind: "folder"; readonly key: string; /** Project-relative, posix, normalized (starts with `../`). */ readonly path: string }
  | { readonly kind: "package"; readonly key: string; readonly name: string; /** Inside the package, posix; "" for its root. */ readonly folder: string };

/** What the engine loaded for a source: its `.lxm` files (project-relative display paths, sorted), or why it could not. */
export type TemplateLibrary = { readonly files: readonly { readonly path: string; readonly text: string }[] } | { readonly problem: string };

const PACKAGE = /^((?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*)((?:\/[A-Za-z0-9._~-]+)*)$/;

/** The source `source` names from file `file` (project-relative), or why it names none. */
export function templateSource(file: string, source: string): TemplateSource | { readonly problem: string } {
  if (source.startsWith("/") || /^[A-Za-z]:[\\/]/.test(source)) return { problem: "an absolute path: write the folder relative to this file (`../shared/templates`)" };
  if (source === "." || source === ".." || source.startsWith("./") || source.startsWith("../")) {
    const path = posix.normalize(posix.join(posix.dirname(file), source)).replace(/\/$/, "");
    if (path !== ".." && !path.startsWith("../")) return { problem: `${JSON.stringify(source)} is inside the project: its templates are the project's already (use them by name)` };
    return { kind: "folder", key: `folder:${path}`, path };
  }
  const m = PACKAGE.exec(source);
  if (m === null || source.split("/").some((seg) => seg === "." || seg === "..")) {
    return { problem: `${JSON.stringify(source)} is neither a folder (\`../shared/templates\`) nor an npm package name (\`@acme/lexum-templates\`)` };
  }
  return { kind: "package", key: `package:${source}`, name: m[1]!, folder: m[2]!.replace(/^\//, "") };
}
