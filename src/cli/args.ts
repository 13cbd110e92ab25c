/** A small strict argument parser: unknown flags and bad values are errors naming the flag. */

export interface FlagSpec {
  /** "string" | "number" | "int" | "boolean" | "list" (comma-separated numbers) */
  type: "string" | "number" | "int" | "boolean" | "list";
  help: string;
  choices?: readonly string[];
}

export class UsageError extends Error {}

export type Parsed = Record<string, string | number | boolean | number[] | undefined>;

export function parseArgs(argv: string[], flags: Record<string, FlagSpec>, command: string): { flags: Parsed; positional: string[] } {
  const out: Parsed = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) { positional.push(a); continue; }
    let [name, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = flags[name];
    if (!spec) {
      throw new UsageError(`${command}: unknown flag --${name}; expected one of ${Object.keys(flags).map((f) => `--${f}`).join(", ")}`);
    }
    if (spec.type === "boolean") {
      if (value !== undefined && value !== "true" && value !== "false") throw new UsageError(`--${name}: got ${JSON.stringify(value)}, expected no value, true or false`);
      out[name] = value !== "false";
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name}: missing value (${spec.help})`);
    }
    out[name] = convert(name, value, spec);
  }
  return { flags: out, positional };
}

function convert(name: string, v: string, spec: FlagSpec): string | number | number[] {
  switch (spec.type) {
    case "string":
      if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`--${name}: got ${JSON.stringify(v)}, expected one of ${spec.choices.join(", ")}`);
      return v;
    case "number": {
      const x = Number(v);
      if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name}: got ${JSON.stringify(v)}, expected a finite number`);
      return x;
    }
    case "int": {
      // decimal digits only: Number() would also read "0x10" as 16 and "1e3" as 1000
      const x = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(x)) throw new UsageError(`--${name}: got ${JSON.stringify(v)}, expected an integer`);
      return x;
    }
    case "list": {
      const parts = v.split(",");
      return parts.map((p, i) => {
        const x = Number(p);
        if (p.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name}: item ${i + 1} is ${JSON.stringify(p)}, expected comma-separated finite numbers (e.g. 10,0,0,0,0)`);
        return x;
      });
    }
    default:
      return v;
  }
}

export function usage(command: string, summary: string, flags: Record<string, FlagSpec>): string {
  const lines = [`usage: cacto ${command}`, "", summary, ""];
  for (const [k, f] of Object.entries(flags)) {
    lines.push(`  --${k}${f.type === "boolean" ? "" : ` <${f.choices ? f.choices.join("|") : f.type}>`}`.padEnd(34) + f.help);
  }
  return lines.join("\n");
}
