/**
 * A backtest's result: the counts, the would-be alerts (raised → cleared, or still open at the end
 * of the range) and the chart of one device with its alerts shaded.
 */
import { useState } from "preact/hooks";
import { devicesByAlerts, formatDuration } from "../backtest_model.ts";
import { formatTime, formatValue } from "../format.ts";
import { toMs } from "../rules_api_types.ts";
import type { Outcome } from "./backtest_panel.tsx";
import { BacktestChart } from "./backtest_chart.tsx";

/** Rows of the transitions table; the counts above it cover them all. */
const SHOWN_TRANSITIONS = 200;

export function BacktestResultView({ outcome }: { outcome: Outcome }) {
  const { result, range, rule } = outcome;
  const { stats, transitions } = result;
  const ranked = devicesByAlerts(transitions);
  const [chartDevice, setChartDevice] = useState(outcome.device || ranked[0]?.[0] || "");
  const metric = "metric" in rule.condition ? rule.condition.metric : undefined;
  const stat = (name: keyof typeof stats, label: string, shown: string | number = stats[name]) => (
    <div>
      <dt>{label}</dt>
      <dd data-stat={name} data-value={stats[name]}>{shown}</dd>
    </div>
  );

  return (
    <div class="backtest-result" data-backtest-from={range.from} data-backtest-to={range.to}>
      <p class="muted">
        {formatTime(range.from)} → {formatTime(range.to)}
      </p>
      <dl class="stats">
        {stat("events", "Events replayed")}
        {stat("devices", "Devices")}
        {stat("raised", "Alerts raised")}
        {stat("open", "Still open at the end")}
        {stat("timeInAlertSeconds", "Time in alert", formatDuration(stats.timeInAlertSeconds))}
      </dl>
      {metric && (
        <div class="backtest-chart">
          <label>
            Chart of device
            <input
              name="chart-device"
              list="backtest-devices"
              value={chartDevice}
              spellcheck={false}
              onChange={(e) => setChartDevice(e.currentTarget.value.trim())}
            />
            <datalist id="backtest-devices">
              {ranked.map(([id, n]) => <option key={id} value={id}>{n} alerts</option>)}
            </datalist>
          </label>
          {chartDevice
            ? (
              <BacktestChart
                deviceId={chartDevice}
                metric={metric}
                condition={rule.condition}
                range={range}
                transitions={transitions}
              />
            )
            : <p class="muted">Choose a device to see its {metric} with the would-be alerts shaded.</p>}
        </div>
      )}
      {transitions.length === 0
        ? <p class="muted" data-transitions="0">This rule would not have raised any alert in this range.</p>
        : (
          <table class="table transitions" data-transitions={transitions.length}>
            <caption>
              Would-be alerts{result.truncated
                ? ` (listed up to ${transitions.length} of ${stats.raised})`
                : ""}
              {transitions.length > SHOWN_TRANSITIONS
                ? ` (the first ${SHOWN_TRANSITIONS} of ${transitions.length})`
                : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Raised</th>
                <th scope="col">Cleared</th>
                <th scope="col">Value</th>
                <th scope="col">Lasted</th>
              </tr>
            </thead>
            <tbody>
              {transitions.slice(0, SHOWN_TRANSITIONS).map((t, i) => {
                const raised = toMs(t.raisedAt);
                const end = t.clearedAt === null ? range.to : toMs(t.clearedAt);
                return (
                  <tr
                    key={i}
                    data-device={t.deviceId}
                    data-raised={raised}
                    data-cleared={t.clearedAt === null ? "" : toMs(t.clearedAt)}
                  >
                    <td>{t.deviceId}</td>
                    <td>{formatTime(raised)}</td>
                    <td>{t.clearedAt === null ? <em>still open</em> : formatTime(toMs(t.clearedAt))}</td>
                    <td>{t.value === null ? "—" : formatValue(t.value)}</td>
                    <td>{formatDuration((end - raised) / 1000)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
    </div>
  );
}
