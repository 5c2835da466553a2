import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import React from "react";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TraceApp } from "../../src/cli/ui/trace-view.js";
import { loadRunView } from "../../src/viewer/load.js";
import { domainLabel, domainTemplates, frameAt, graphOf } from "../../src/viewer/model.js";
import type { RunView } from "../../src/viewer/model.js";
import { cleanupRepos, makeRepo } from "../e2e/helpers.js";
import { BEFORE_LXM, MOVED_LXM } from "./fixture.js";

let view: RunView;
beforeAll(async () => {
  const repo = makeRepo({ ".gitignore": "out/\nworld.json\n", "main.lxm": BEFORE_LXM });
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  repo.write({ "main.lxm": MOVED_LXM });
  repo.commit("rename motd");
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  view = await loadRunView({ gitdir: join(repo.dir, ".git"), branch: "lexum/state" });
});
afterAll(cleanupRepos);

describe("the viewers' model: templates and renames", () => {
  it("names the template each instance came from, read from the goal's sources", () => {
    expect(domainTemplates(view.sources)).toEqual({ api: "host" });
    expect(domainTemplates({})).toEqual({});
    expect(domainLabel("api", { api: "host" })).toBe("api (template host)");
    expect(domainLabel("web", { api: "host" })).toBe("web");
    expect(graphOf(view).domains.map((d) => [d.name, d.template])).toEqual([
      ["api", "host"],
      ["web", undefined],
    ]);
    expect(frameAt(view, 0).templates).toEqual({ api: "host" });
  });

  it("shows a moved resource's old address among the event's detail lines", () => {
    const i = view.events.findIndex((e) => e.phase === "start" && e.address === "web/fs.file.greeting");
    expect(view.events[i]).toMatchObject({ action: "moved", movedFrom: "web/fs.file.motd" });
    expect(frameAt(view, i).detail).toEqual(["moved from: web/fs.file.motd"]);
  });

  it("the terminal view labels the instance with its template and shows the old address", async () => {
    const inst = render(React.createElement(TraceApp, { view }));
    const frame = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    expect(frame()).toContain("api (template host)");
    const i = view.events.findIndex((e) => e.phase === "start" && e.address === "web/fs.file.greeting");
    for (let k = 0; k < i; k++) {
      const n = inst.frames.length;
      inst.stdin.write("\u001B[C");
      for (let t = 0; t < 50 && inst.frames.length === n; t++) await new Promise((r) => setImmediate(r));
    }
    expect(frame()).toContain("moved from: web/fs.file.motd");
    inst.unmount();
  });
});
