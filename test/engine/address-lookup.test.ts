import { describe, expect, it } from "vitest";
import { findAddress } from "../../src/engine/address-lookup.js";
import { LexumError } from "../../src/diag/diagnostic.js";

const known = ['web/fs.file.page["index"]', 'web/fs.file.page["about"]', 'blog/fs.file.page["index"]', "storage/fs.dir.data", "storage/sim.object.node[2]", 'storage/sim.object.tag["2"]'];

function failure(input: string): LexumError {
  try {
    findAddress(input, known);
  } catch (e) {
    return e as LexumError;
  }
  throw new Error(`${input} was found`);
}

describe("findAddress: the address as typed → the recorded one", () => {
  it.each([
    ['web/fs.file.page["about"]', 'web/fs.file.page["about"]'],
    ['fs.file.page["about"]', 'web/fs.file.page["about"]'],
    ['web.fs.file.page["about"]', 'web/fs.file.page["about"]'],
    ["fs.file.page[about]", 'web/fs.file.page["about"]'],
    ["fs.file.page['about']", 'web/fs.file.page["about"]'],
    ["blog/fs.file.page[index]", 'blog/fs.file.page["index"]'],
    ["fs.dir.data", "storage/fs.dir.data"],
    ["sim.object.node[2]", "storage/sim.object.node[2]"],
    ["sim.object.tag[2]", 'storage/sim.object.tag["2"]'],
  ])("%s", (input, address) => expect(findAddress(input, known)).toBe(address));

  it("a short form in two domains is ambiguous (LXM5023); an unknown one LXM4211 with the closest", () => {
    expect(failure('fs.file.page["index"]').code).toBe("LXM5023");
    const typo = failure("web/fs.file.page[abuot]");
    expect(typo.code).toBe("LXM4211");
    expect(typo.hint).toBe('did you mean web/fs.file.page["about"]?');
    expect(failure("fs.dir.dta").hint).toBe("did you mean storage/fs.dir.data?");
    expect(failure("nothing.like.it").hint).toBe("run `lxm state show` to list addresses");
  });
});
