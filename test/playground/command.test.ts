/**
 * gradc playground serves static files from 127.0.0.1 and nothing outside its folder;
 * without a build, or on a port it cannot take, it says so (catalogue entries).
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GradcError } from "../../src/diagnostics/index.js";
import { PLAYGROUND_DIR, resolvePath } from "../../src/cli/playground.js";
import { entryCode, gradc, stderrIs } from "../helpers.js";

async function rejection(p: Promise<unknown>): Promise<{ id: string; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GradcError) return { id: e.diagnostic.id, code: e.diagnostic.code, message: e.diagnostic.message };
    throw e;
  }
  throw new Error("expected a GradcError");
}

describe("gradc playground", () => {
  it("maps paths to files inside its folder only", () => {
    expect(resolvePath(PLAYGROUND_DIR, "/")).toBe(join(PLAYGROUND_DIR, "index.html"));
    expect(resolvePath(PLAYGROUND_DIR, "/examples.json?x=1")).toBe(join(PLAYGROUND_DIR, "examples.json"));
    for (const bad of ["/../package.json", "/%2e%2e/package.json", "/..%2fpackage.json", "/%00", "/%E0%A4%A", "/nope.js"]) expect(resolvePath(PLAYGROUND_DIR, bad), bad).toBeUndefined();
  });

  it("says the app is not built when its folder has no index.html (playground_not_built)", async () => {
    const { playgroundCommand } = await import("../../src/cli/playground.js");
    const empty = mkdtempSync(join(tmpdir(), "gradc-pg-"));
    const e = await rejection(playgroundCommand({ port: 0 }, empty));
    expect([e.id, e.code]).toEqual(["playground_not_built", entryCode("playground_not_built")]);
    expect(e.message).toContain("npm run build");
  });

  it("names a port it cannot take (cannot_listen)", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    const r = gradc(["playground", "--port", String(port)]);
    busy.close();
    expect(stderrIs("cannot_listen", r)).toContain(`127.0.0.1:${port}: the port is in use`);
    expect(r.code).toBe(1);
  });

  it("takes a port from 0 to 65535", () => {
    const r = gradc(["playground", "--port", "70000"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--port");
  });
});
