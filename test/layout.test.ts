import { test } from "uvu";
import * as assert from "uvu/assert";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import { P } from "../src/systems/layout.js";

test("parameter blocks hold each system's constants", () => {
  const p = buildParams(SYSTEMS.car);
  assert.is(p.length, P.N);
  assert.is(p[P.DT], 0.05);
  assert.is(p[P.NOBS], 3);
  assert.is(p[P.OBS + 4 * 1 + 2], 12);
  assert.is(p[P.UMAX + 1], 1);
  const m = buildParams(SYSTEMS.manipulator);
  assert.ok(Math.abs(m[P.MA_IZ] - 16.6667) < 1e-4);
  assert.is(m[P.XD], -20);
});

test.run();
