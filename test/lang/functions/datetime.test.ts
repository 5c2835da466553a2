import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, problem } from "./call.js";


describe("date and time functions (Terraform's reference examples)", () => {
  it("formatdate", () => {
    expect(call("formatdate", "DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")).toBe("02 Jan 2018 23:12 UTC");
    expect(call("formatdate", "EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")).toBe("Tuesday, 02-Jan-18 23:12:01 UTC");
    expect(call("formatdate", "EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")).toBe("Tue, 02 Jan 2018 23:12:01 -0800");
    expect(call("formatdate", "MMM DD, YYYY", "2018-01-02T23:12:01Z")).toBe("Jan 02, 2018");
    expect(call("formatdate", "HH:mmaa", "2018-01-02T23:12:01Z")).toBe("11:12pm");
    expect(call("formatdate", "h'h'mm", "2018-01-02T23:12:01-08:00")).toBe("23h12");
    expect(call("formatdate", "ZZZZZ Z M/D H AA 'it''s'", "2018-03-04T00:05:09+05:30")).toBe("+05:30 +05:30 3/4 12 AM it's");
    expect(problem("formatdate", "YYYY-QQ", "2018-01-02T23:12:01Z")).toContain('"QQ" is not a date sequence');
    expect(problem("formatdate", "YYYY", "2018-02-30T00:00:00Z")).toContain("not an RFC 3339 timestamp");
  });
  it("timeadd", () => {
    expect(call("timeadd", "2017-11-22T00:00:00Z", "10m")).toBe("2017-11-22T00:10:00Z");
    expect(call("timeadd", "2017-11-22T00:00:00Z", "-1h")).toBe("2017-11-21T23:00:00Z");
    expect(call("timeadd", "2017-11-22T00:00:00+01:00", "1h30m")).toBe("2017-11-22T01:30:00+01:00");
    expect(call("timeadd", "2024-02-28T12:00:00Z", "24h")).toBe("2024-02-29T12:00:00Z");
    expect(call("timeadd", "2017-11-22T00:00:00Z", "1.5h")).toBe("2017-11-22T01:30:00Z");
    expect(problem("timeadd", "2017-11-22T00:00:00Z", "1 day")).toContain("not a duration");
  });
  it("timecmp", () => {
    expect(call("timecmp", "2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")).toBe(0);
    expect(call("timecmp", "2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")).toBe(-1);
    expect(call("timecmp", "2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z")).toBe(1);
    expect(call("timecmp", "2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")).toBe(0);
    expect(call("timecmp", "2017-11-22T00:00:00.5Z", "2017-11-22T00:00:00Z")).toBe(1);
  });
  it("formatdate round-trips a timestamp through the RFC 3339 spec (fast-check)", () => {
    const spec = "YYYY-MM-DD'T'hh:mm:ssZ";
    fc.assert(
      fc.property(fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2999-12-31T23:59:59Z"), noInvalidDate: true }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, off) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");
        expect(call("formatdate", spec, whole)).toBe(whole);
        // The same instant in another offset compares equal, and formats back to itself.
        const sign = off < 0 ? "-" : "+";
        const o = Math.abs(off);
        const shifted = call("timeadd", whole.replace("Z", "+00:00"), "0") as string;
        expect(call("timecmp", shifted, whole)).toBe(0);
        const local = new Date(Date.parse(whole) + off * 60_000).toISOString().replace(".000Z", "") + `${sign}${String(Math.floor(o / 60)).padStart(2, "0")}:${String(o % 60).padStart(2, "0")}`;
        expect(call("timecmp", local, whole)).toBe(0);
        expect(call("formatdate", "YYYY-MM-DD'T'hh:mm:ssZZZZZ", local)).toBe(local);
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
