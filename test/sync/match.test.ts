import { describe, expect, it } from "vitest";
import { pollMatches, repositoryKey } from "../../src/sync/match.js";

describe("repository matching", () => {
  it("sets aside user info, a trailing .git or /, query, fragment and the host's case", () => {
    const same = [
      "https://github.com/Octo/Infra.git",
      "https://github.com/Octo/Infra",
      "https://github.com/Octo/Infra/",
      "https://GitHub.COM/Octo/Infra.git/",
      "https://x-access-token:ghp_secret@github.com/Octo/Infra.git",
      "https://github.com:443/Octo/Infra",
      "https://github.com/Octo/Infra.git?tab=readme#top",
      "  https://github.com/Octo/Infra.GIT  ",
    ];
    expect(new Set(same.map(repositoryKey))).toEqual(new Set(["https://github.com/Octo/Infra"]));
  });

  it("keeps the scheme, port and the path's case", () => {
    const key = repositoryKey("https://github.com/Octo/Infra");
    for (const other of ["http://github.com/Octo/Infra", "https://github.com:8443/Octo/Infra", "https://github.com/octo/infra", "https://github.com/Octo/Infra2", "https://github.com/Octo"]) {
      expect(repositoryKey(other), other).not.toBe(key);
    }
  });

  it("reads git's scp-like ssh syntax as ssh://, and local paths and file:// URLs as paths", () => {
    expect(repositoryKey("git@github.com:Octo/Infra.git")).toBe("ssh://github.com/Octo/Infra");
    expect(repositoryKey("ssh://git@GITHUB.com/Octo/Infra.git")).toBe("ssh://github.com/Octo/Infra");
    expect(repositoryKey("git://github.com/Octo/Infra.git")).toBe("git://github.com/Octo/Infra");
    expect(repositoryKey("/srv/git/infra.git/")).toBe("/srv/git/infra");
    expect(repositoryKey("file:///srv/git/infra.git")).toBe("/srv/git/infra");
    expect(repositoryKey("/")).toBe("/");
    expect(repositoryKey("https://[bad")).toBe("https://[bad");
  });

  it("matches an entry by any of the urls, its branch's ref (or any), and the entries allowed", () => {
    const repo = { url: "https://github.com/octo/infra.git", branch: "main" };
    const entry = "https://github.com/octo/infra.git#main:.";
    const urls = ["https://github.com/octo/infra.git", "git@github.com:octo/infra.git"];
    expect(pollMatches({ urls, ref: "refs/heads/main" }, repo, entry)).toBe(true);
    expect(pollMatches({ urls, ref: null }, repo, entry)).toBe(true);
    expect(pollMatches({ urls: ["git@github.com:octo/infra.git", "https://github.com/octo/infra"], ref: null }, repo, entry)).toBe(true);
    expect(pollMatches({ urls, ref: "refs/heads/release" }, repo, entry)).toBe(false);
    expect(pollMatches({ urls, ref: "refs/tags/main" }, repo, entry)).toBe(false);
    expect(pollMatches({ urls: ["https://github.com/octo/other.git"], ref: null }, repo, entry)).toBe(false);
    expect(pollMatches({ urls, ref: null, entries: [entry] }, repo, entry)).toBe(true);
    expect(pollMatches({ urls, ref: null, entries: [] }, repo, entry)).toBe(false);
    expect(pollMatches({ urls, ref: null, entries: ["https://github.com/octo/infra.git#main:envs"] }, repo, entry)).toBe(false);
  });
});
