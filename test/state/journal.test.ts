import { describe, expect, it } from "vitest";
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { listJournals, openJournal, readJournal, removeJournal } from "../../src/state/journal.js";
import { repoFactory } from "../git/helpers.js";

const repo = repoFactory();

describe("journal", () => {
  it("appends canonical JSON lines and reads them back in order", async () => {
    const { gitdir } = repo();
    const j = await openJournal({ gitdir, name: "run-1" });
    await j.append({ b: 2, a: 1 });
    await j.append({ step: 1, address: "web/fs.file.x" }, [1, "two"]);
    await j.close();
    expect(j.path).toBe(`${gitdir}/lexum/journal/run-1.jsonl`);
    expect(readFileSync(j.path, "utf8")).toBe('{"a":1,"b":2}\n{"address":"web/fs.file.x","step":1}\n[1,"two"]\n');
    expect(await readJournal({ gitdir, name: "run-1" })).toEqual({
      records: [{ a: 1, b: 2 }, { address: "web/fs.file.x", step: 1 }, [1, "two"]],
      tornTail: false,
    });
    expect(await listJournals(gitdir)).toEqual(["run-1"]);
    await removeJournal({ gitdir, name: "run-1" });
    expect(await readJournal({ gitdir, name: "run-1" })).toBeNull();
    expect(await listJournals(gitdir)).toEqual([]);
  });

  it("grows linearly: each append writes only its own line", async () => {
    const { gitdir } = repo();
    const j = await openJournal({ gitdir, name: "lin" });
    const sizes: number[] = [];
    for (let i = 0; i < 200; i++) {
      await j.append({ i: 1000 + i, done: true });
      sizes.push(statSync(j.path).size);
    }
    await j.close();
    const line = '{"done":true,"i":1000}\n'.length;
    expect(sizes[0]).toBe(line);
    expect(sizes[199]).toBe(200 * line);
    expect(j.bytesWritten).toBe(200 * line);
  });

  it("tolerates a torn last line (crash mid-append) and cuts it on reopen", async () => {
    const { gitdir } = repo();
    const j = await openJournal({ gitdir, name: "torn" });
    await j.append({ n: 1 }, { n: 2 });
    await j.close();
    appendFileSync(j.path, '{"n":3,"addr'); // the crash
    expect(await readJournal({ gitdir, name: "torn" })).toEqual({ records: [{ n: 1 }, { n: 2 }], tornTail: true });
    // A complete-looking last record without its newline was never acknowledged either.
    writeFileSync(j.path, '{"n":1}\n{"n":2}');
    expect(await readJournal({ gitdir, name: "torn" })).toEqual({ records: [{ n: 1 }], tornTail: true });
    // Reopening cuts the torn fragment; the next record starts on its own line.
    writeFileSync(j.path, '{"n":1}\n{"n":2}\n{"n":3,"addr');
    const again = await openJournal({ gitdir, name: "torn" });
    await again.append({ n: 4 });
    await again.close();
    expect(readFileSync(j.path, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":4}\n');
    expect(await readJournal({ gitdir, name: "torn" })).toEqual({ records: [{ n: 1 }, { n: 2 }, { n: 4 }], tornTail: false });
  });

  it("reports a bad line before the last as corruption", async () => {
    const { gitdir } = repo();
    const j = await openJournal({ gitdir, name: "bad" });
    await j.close();
    writeFileSync(j.path, '{"n":1}\ngarbage\n{"n":3}\n');
    await expect(readJournal({ gitdir, name: "bad" })).rejects.toMatchObject({ code: "LXM4110" });
  });

  it("rejects names that could escape the journal directory", async () => {
    const { gitdir } = repo();
    await expect(openJournal({ gitdir, name: "../HEAD" })).rejects.toMatchObject({ code: "LXM4111" });
    await expect(readJournal({ gitdir, name: "a/b" })).rejects.toMatchObject({ code: "LXM4111" });
    expect(readFileSync(`${gitdir}/HEAD`, "utf8")).toBe("ref: refs/heads/main\n");
  });
});
