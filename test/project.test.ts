/**
 * The project's own rules, measured: TypeScript strict passes, no source file over
 * 400 lines and no function over 60 (generated/ excluded), no `any` without a reason.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

// src/export/proto/ holds code generated from onnx.proto (protoc-gen-es): type-checked, but
// not held to the size and `any` rules, which are for the code we write
const GENERATED = `${ROOT}src/export/proto/`;
const sources = [...files(`${ROOT}src`), ...files(`${ROOT}test`)].filter((f) => !f.startsWith(GENERATED));

describe("the project's rules", () => {
  it("type-checks with tsc (strict)", { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "--noEmit", "-p", ROOT], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
  });

  it("has no source file over 400 lines", () => {
    const long = sources.map((f) => [f.slice(ROOT.length), readFileSync(f, "utf8").split("\n").length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it("has no function over 60 lines", () => {
    const long: string[] = [];
    for (const f of sources) {
      const sf = ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && "body" in node && node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
          // a test file's describe/it callbacks are lists of cases, not functions to split
          const isTestBlock = f.includes("/test/") && ts.isArrowFunction(node);
          if (end - start + 1 > 60 && !isTestBlock) long.push(`${f.slice(ROOT.length)}:${start + 1} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(long).toEqual([]);
  });

  it("uses no `any` without a reason next to it", () => {
    const bare = sources.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => (/:\s*any\b|as any\b|<any>/.test(line) && !/\/\/.*any/.test(line) ? [`${f.slice(ROOT.length)}:${i + 1}`] : [])), // finds a bare any
    );
    expect(bare).toEqual([]);
  });
});

describe("docs/cli.md", () => {
  it("is the reference the command definitions generate today (run `npx gradc reference --cli > docs/cli.md`)", async () => {
    const { cliReference } = await import("../src/cli/reference.js");
    const text = await cliReference();
    expect(text).toContain("## gradc export");
    expect(readFileSync(`${ROOT}docs/cli.md`, "utf8")).toBe(text);
  });
});

describe("docs/language.md", () => {
  it("is the reference the op table generates today (run `npx gradc reference > docs/language.md`)", async () => {
    const { languageReference } = await import("../src/cli/reference.js");
    expect(readFileSync(`${ROOT}docs/language.md`, "utf8")).toBe(languageReference());
    const { KEYWORDS } = await import("../src/dsl/parser.js");
    for (const word of KEYWORDS) expect(languageReference(), word).toContain(`| \`${word} `);
  });
});
