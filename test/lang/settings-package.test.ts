import { describe, expect, it } from "vitest";
import { parseProjectSettings, providerPackageRefs } from "../../src/lang/project.js";

const yaml = `state_branch: ops/state
providers:
  zeta:
    package: "@acme/zeta"
    url: https://z.example
  acme:
    package: acme-lexum
  fs:
    root: out
`;

describe("lexum.yaml `package`", () => {
  it("names provider packages, sorted by provider, each located at its value", () => {
    const refs = providerPackageRefs(yaml);
    expect(refs.map((r) => [r.name, r.package, yaml.slice(r.span.start, r.span.end)])).toEqual([
      ["acme", "acme-lexum", "acme-lexum"],
      ["zeta", "@acme/zeta", '"@acme/zeta"'],
    ]);
    expect(refs[0]!.span.file).toBe("lexum.yaml");
  });

  it("is never part of a provider's default configuration", () => {
    const { settings, diagnostics } = parseProjectSettings(yaml);
    expect(diagnostics).toEqual([]);
    expect(settings.providers).toEqual({ acme: {}, fs: { root: "out" }, zeta: { url: "https://z.example" } });
  });

  it("a package that is not an npm package name is LXM2141 at its value, and names no package", () => {
    for (const bad of ["../acme", "Acme", "@acme", "a b", ""]) {
      const text = `providers:\n  acme:\n    package: ${JSON.stringify(bad)}\n`;
      expect(providerPackageRefs(text)).toEqual([]);
      const { diagnostics } = parseProjectSettings(text);
      expect(diagnostics.map((d) => [d.code, d.span?.start])).toEqual([["LXM2141", text.indexOf('"')]]);
    }
  });

  it("a project without `package` parses nothing more, and a bad lexum.yaml names no package", () => {
    expect(providerPackageRefs("providers:\n  fs:\n    root: out\n")).toEqual([]);
    expect(providerPackageRefs("providers: [\n")).toEqual([]);
    expect(providerPackageRefs("providers:\n  acme:\n    package: 3\n")).toEqual([]);
    expect(providerPackageRefs("bogus: 1\nproviders:\n  acme:\n    package: acme\n")).toEqual([]);
  });

  it("an unknown provider without `package` is still refused", () => {
    const { diagnostics } = parseProjectSettings("providers:\n  acme:\n    url: x\n");
    expect(diagnostics.map((d) => d.message)).toEqual(["lexum.yaml: providers: unknown provider `acme` (known: fs, http, postgres, sim)"]);
  });
});
