/** gradc examples: the packaged graphs listed, and copied without replacing a user's edits. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, expectReported, gradc } from "../helpers.js";

const shipped = readdirSync(`${ROOT}graphs`).filter((n) => n.endsWith(".graph")).sort();

describe("gradc examples", () => {
  it("lists every graph of graphs/ with its first comment line", () => {
    const r = gradc(["examples"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").slice(0, shipped.length);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(shipped);
    expect(r.stdout).toMatch(/^apple\.graph +buying apples and oranges/m);
    expect(r.stdout).toContain(`${shipped.length} examples in`);
  });

  it("each example's first line is whole: the listing shows it alone, so the next comment line does not continue its sentence", () => {
    for (const name of shipped) {
      const [first, second] = readFileSync(`${ROOT}graphs/${name}`, "utf8").split("\n");
      expect(first, name).toMatch(new RegExp(`^# ${name.replace(".", "\\.")} — \\S`));
      expect(first, name).not.toMatch(/\b(with|and|or|the|a|of|to|by|in|;|,)$/);
      if (second?.startsWith("#")) expect(second, `${name}: ${second}`).toMatch(/^#\s*([^a-z]|$)/);
    }
  });

  it("copies them into a folder, and refuses to replace an edited one without --force", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "gradc-examples-")), "mine");
    expect(gradc(["examples", "--copy", dir]).stdout).toBe(`copied ${shipped.length} of ${shipped.length} examples into ${dir}\n`);
    expect(readFileSync(join(dir, "apple.graph"), "utf8")).toBe(readFileSync(`${ROOT}graphs/apple.graph`, "utf8"));
    writeFileSync(join(dir, "apple.graph"), "# my edit\n");
    const refused = gradc(["examples", "--copy", dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${dir} already holds apple.graph, different from gradc's: nothing copied (--force replaces them)`);
    expectReported(refused, "examples_clash");
    expect(readFileSync(join(dir, "apple.graph"), "utf8")).toBe("# my edit\n");
    const forced = gradc(["examples", "--copy", dir, "--force"]);
    expect(forced.stdout).toBe(`copied 1 of ${shipped.length} examples into ${dir} (${shipped.length - 1} already there, unchanged)\n`);
  });
});
