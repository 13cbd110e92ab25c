// A full disk (issue 11): the kernel's ENOSPC, produced by /dev/full (every write to it fails with
// "no space left on device"; no privileges or mounts needed). The temporary file of the atomic write
// is made a link to /dev/full, so the write of the new checkpoint fails exactly as on a full disk.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WriteError, cleanStaleTemps, saveCheckpoint, tempPath, writeAtomic } from "../src/cacto/checkpoint.js";

test("a write that hits a full disk throws a WriteError naming the file and ENOSPC, keeps the old file whole and leaves no temporary file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-full-"));
  const file = path.join(dir, "report.md");
  writeFileSync(file, "the previous report");
  symlinkSync("/dev/full", tempPath(file));
  let err: unknown = null;
  try { writeAtomic(file, "x".repeat(1 << 16)); } catch (e) { err = e; }
  assert.ok(err instanceof WriteError, String(err));
  assert.match((err as Error).message, new RegExp(`^cannot write ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: ENOSPC`));
  assert.is(readFileSync(file, "utf8"), "the previous report", "the old file is whole");
  assert.equal(readdirSync(dir), ["report.md"], "no temporary file left");
  // once there is space again the same write works
  writeAtomic(file, "the new report");
  assert.is(readFileSync(file, "utf8"), "the new report");
});

test("saveCheckpoint on a full disk: the previous checkpoint survives; a killed writer's leftover is cleaned on the next start", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-full-ck-"));
  const data = { format: "cacto-checkpoint", version: 1, loop: 1 } as never;
  saveCheckpoint(dir, data);
  const before = readFileSync(path.join(dir, "checkpoint.json"), "utf8");
  symlinkSync("/dev/full", tempPath(path.join(dir, "checkpoint.json")));
  assert.throws(() => saveCheckpoint(dir, { ...(data as object), loop: 2 } as never), (e: Error) => e instanceof WriteError && /ENOSPC/.test(e.message));
  assert.is(readFileSync(path.join(dir, "checkpoint.json"), "utf8"), before);
  assert.equal(readdirSync(dir), ["checkpoint.json"]);
  // a leftover of a dead writer (pid 2147483646 cannot be running) is removed by cleanStaleTemps
  writeFileSync(path.join(dir, "checkpoint.json.tmp-2147483646"), "torn");
  assert.equal(cleanStaleTemps(dir), ["checkpoint.json.tmp-2147483646"]);
  assert.not.ok(existsSync(path.join(dir, "checkpoint.json.tmp-2147483646")));
  saveCheckpoint(dir, { ...(data as object), loop: 2 } as never);
  assert.is(JSON.parse(readFileSync(path.join(dir, "checkpoint.json"), "utf8")).loop, 2);
});

test.run();
