/**
 * A reader of Prometheus' text exposition format (0.0.4) for tests: HELP and TYPE lines
 * per metric family, and each sample's name, labels (escapes `\\`, `\"`, `\n` undone) and
 * value. Throws on a line it cannot read, so a malformed exposition fails the test.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly help: ReadonlyMap<string, string>;
  readonly type: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
  /** The samples named `name` (exactly). */
  series(name: string): Sample[];
}

export function parseExposition(text: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const map = meta[1] === "HELP" ? help : type;
      if (map.has(meta[2]!)) throw new Error(`second ${meta[1]} line for ${meta[2]}`);
      map.set(meta[2]!, meta[3]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    samples.push(parseSample(line));
  }
  return { help, type, samples, series: (name) => samples.filter((s) => s.name === name) };
}

function parseSample(line: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) throw new Error(`not a sample line: ${line}`);
  const name = head[1]!;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const key = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      if (!key) throw new Error(`bad label at ${i} in ${line}`);
      i += key[0].length;
      let value = "";
      for (;;) {
        const c = line[i++];
        if (c === undefined) throw new Error(`unterminated label value in ${line}`);
        if (c === '"') break;
        if (c === "\\") {
          const e = line[i++];
          value += e === "n" ? "\n" : e;
        } else value += c;
      }
      labels[key[1]!] = value;
      if (line[i] === ",") i++;
    }
    i++;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const raw = rest[0]!;
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes `Nan`).
  const special: Record<string, number> = { nan: NaN, "+inf": Infinity, inf: Infinity, "-inf": -Infinity };
  const value = special[raw.toLowerCase()] ?? Number(raw);
  if (raw === "" || (Number.isNaN(value) && raw.toLowerCase() !== "nan")) throw new Error(`bad value in ${line}`);
  return { name, labels, value };
}
