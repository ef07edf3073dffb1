/**
 * A small reader of the Prometheus text exposition format (0.0.4), enough for the processors view
 * to read `GET /metrics` in the browser: samples with their labels and value. `# HELP`/`# TYPE`
 * and other comments are skipped; timestamps after the value are ignored.
 */

export interface Sample {
  /** The series name as written, e.g. `aiot_consumer_lag` or `aiot_processor_batch_seconds_sum`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses the exposition text; throws a `SyntaxError` naming the line that is not a sample. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    try {
      samples.push(parseLine(line));
    } catch (error) {
      throw new SyntaxError(
        `Cannot parse metrics line ${index + 1} ("${line.slice(0, 80)}"): ${(error as Error).message}`,
      );
    }
  });
  return samples;
}

function parseLine(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error("expected a metric name");
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.trimStart();
      if (rest.startsWith("}")) {
        rest = rest.slice(1);
        break;
      }
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label) throw new Error("expected a label name");
      rest = rest.slice(label.length).trimStart();
      if (!rest.startsWith("=")) throw new Error(`expected ="…" after label ${label}`);
      rest = rest.slice(1).trimStart();
      if (!rest.startsWith('"')) throw new Error(`expected ="…" after label ${label}`);
      const [value, after] = quoted(rest.slice(1));
      labels[label] = value;
      rest = after.trimStart();
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error("expected , or } after a label");
    }
  }
  const value = rest.trim().split(/\s+/)[0] ?? "";
  return { name, labels, value: numberOf(value) };
}

/** The label value up to its closing quote (with `\\`, `\"` and `\n` unescaped), and the rest. */
function quoted(text: string): [string, string] {
  let value = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return [value, text.slice(i + 1)];
    if (c === "\\") {
      const next = text[++i];
      value += next === "n" ? "\n" : next ?? "";
    } else {
      value += c;
    }
  }
  throw new Error("unterminated label value");
}

function numberOf(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`expected a number, got "${text}"`);
  return value;
}
