/**
 * The backtest preview: replays the rule as it stands in the editor (unsaved) over a past range
 * through `POST /rules/backtest`, then shows what it would have done — the counts, each would-be
 * alert, and one device's metric with those alerts shaded. A long replay shows how far it got
 * (the API streams progress), for how long it has run, and can be cancelled.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type BacktestResult, type RuleBody } from "../api_client.ts";
import { type BacktestProgress, runBacktest } from "../backtest_client.ts";
import { presetRange, RANGE_PRESETS, type RangePreset, type TimeRange } from "../backtest_model.ts";
import { BacktestResultView } from "./backtest_result.tsx";

export interface BacktestPanelProps {
  /** The editor's rule, or undefined when the form has errors (the editor shows them). */
  currentRule(): RuleBody | undefined;
  /** The device to chart when none is chosen: the first of the rule's scope. */
  defaultDevice: string;
  /** A 400 about fields of the rule: the editor shows them next to those fields. */
  onRuleIssues(error: ApiError): void;
}

interface Run {
  controller: AbortController;
  started: number;
}

export interface Outcome {
  /** Tells one run's result from the next (the chart's device choice starts afresh). */
  started: number;
  rule: RuleBody;
  range: TimeRange;
  device: string;
  result: BacktestResult;
}

export function BacktestPanel({ currentRule, defaultDevice, onRuleIssues }: BacktestPanelProps) {
  const [preset, setPreset] = useState<RangePreset>("24h");
  const [custom, setCustom] = useState({ from: "", to: "" });
  const [device, setDevice] = useState("");
  const [run, setRun] = useState<Run>();
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState<BacktestProgress>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    if (!run) return;
    const timer = setInterval(() => setElapsed(Date.now() - run.started), 200);
    return () => clearInterval(timer);
  }, [run]);
  // Leaving the page cancels a running replay.
  useEffect(() => () => run?.controller.abort(), [run]);

  const start = async () => {
    const rule = currentRule();
    if (!rule) return setMessage("Fix the rule's fields first.");
    const range = presetRange(preset, Date.now(), custom);
    if (!range) return setMessage("Choose a custom range whose start is before its end.");
    const chosen = device.trim();
    const controller = new AbortController();
    const started = Date.now();
    setRun({ controller, started });
    setElapsed(0);
    setProgress(undefined);
    setMessage(undefined);
    try {
      const result = await runBacktest({
        rule,
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        ...(chosen ? { devices: [chosen] } : {}),
      }, { signal: controller.signal, onProgress: setProgress });
      setOutcome({ started, rule, range, device: chosen || defaultDevice, result });
    } catch (e) {
      if (controller.signal.aborted) setMessage("Backtest cancelled.");
      else if (e instanceof ApiError && e.details.some((d) => d.path.startsWith("rule."))) onRuleIssues(e);
      else setMessage(`Backtest failed: ${(e as Error).message}`);
    } finally {
      setRun(undefined);
    }
  };

  return (
    <section class="panel backtest" aria-labelledby="backtest-title">
      <h2 id="backtest-title">Backtest preview</h2>
      <p class="muted">
        What would this rule have done? It replays the stored telemetry through the same rule code, with no
        alert raised and no command sent.
      </p>
      <div class="toolbar">
        <fieldset class="segmented">
          <legend>Range</legend>
          {([...Object.keys(RANGE_PRESETS), "custom"] as RangePreset[]).map((name) => (
            <button
              type="button"
              key={name}
              aria-pressed={preset === name}
              onClick={() => setPreset(name)}
            >
              {name === "custom" ? "Custom" : RANGE_PRESETS[name].label}
            </button>
          ))}
        </fieldset>
        {preset === "custom" && (
          <>
            <label>
              From
              <input
                type="datetime-local"
                name="backtest-from"
                step={1}
                value={custom.from}
                onInput={(e) => setCustom({ ...custom, from: e.currentTarget.value })}
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                name="backtest-to"
                step={1}
                value={custom.to}
                onInput={(e) => setCustom({ ...custom, to: e.currentTarget.value })}
              />
            </label>
          </>
        )}
        <label>
          Device (optional)
          <input
            name="backtest-device"
            placeholder={defaultDevice || "all devices in scope"}
            value={device}
            spellcheck={false}
            onInput={(e) => setDevice(e.currentTarget.value)}
          />
        </label>
        {run
          ? (
            <button type="button" class="secondary" onClick={() => run.controller.abort()}>
              Cancel
            </button>
          )
          : <button type="button" onClick={start}>Run backtest</button>}
      </div>
      {run && (
        <div class="progress" role="status" aria-live="polite">
          {progress
            ? <progress aria-label="Backtest progress" max={100} value={progress.percent} />
            : <progress aria-label="Backtest running" />}
          <span>
            Replaying… {(elapsed / 1000).toFixed(1)} s
            {progress && ` · ${progress.percent}% · ${progress.scanned.toLocaleString()} events read`}
          </span>
        </div>
      )}
      {message && <p class="muted" role="status" data-backtest-message>{message}</p>}
      {outcome && <BacktestResultView key={outcome.started} outcome={outcome} />}
    </section>
  );
}
