/**
 * The recording timeline: recorded runs as bars, the camera's alerts as marks on the same axis,
 * round times below, the playhead while a recording plays. A click anywhere asks for the video
 * from that moment; an alert mark asks for the video around the alert. The same choices are
 * offered as buttons in the lists beside it, for keyboards and screen readers.
 */
import type { AlertMark, Span, TimeWindow } from "../camera_timeline.ts";
import { place, ticks, timeAt } from "../camera_timeline.ts";

export interface TimelineBarProps {
  window: TimeWindow;
  bars: readonly (Span & { left: number; width: number })[];
  alerts: readonly AlertMark[];
  playhead?: number | undefined;
  onPick(t: number): void;
  onAlert(id: string): void;
}

const clock = (t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function CameraTimelineBar({ window, bars, alerts, playhead, onPick, onAlert }: TimelineBarProps) {
  const pick = (event: MouseEvent) => {
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    onPick(timeAt(window, (event.clientX - rect.left) / rect.width));
  };
  const head = playhead === undefined ? undefined : place(window, playhead, playhead);
  return (
    <div class="timeline">
      <div
        class="timeline-track"
        data-from={window.from}
        data-to={window.to}
        title="Click to play the recording from that time"
        onClick={pick}
      >
        {bars.map((bar) => (
          <span
            key={bar.start}
            class="timeline-recording"
            data-start={bar.start}
            data-end={bar.end}
            style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
          />
        ))}
        {alerts.map((mark) => (
          <button
            type="button"
            key={mark.id}
            class={`timeline-alert ${mark.severity}`}
            data-alert={mark.id}
            title={`${new Date(mark.at).toLocaleString()}: ${mark.message}`}
            aria-label={`Alert at ${new Date(mark.at).toLocaleTimeString()}: ${mark.message}`}
            style={{ left: `${mark.left}%`, width: `max(4px, ${mark.width}%)` }}
            onClick={(e) => {
              e.stopPropagation();
              onAlert(mark.id);
            }}
          />
        ))}
        {head && <span class="timeline-playhead" style={{ left: `${head.left}%` }} />}
      </div>
      <div class="timeline-ticks" aria-hidden="true">
        {ticks(window, 8).map((tick) => (
          <span key={tick.t} style={{ left: `${tick.left}%` }}>{clock(tick.t)}</span>
        ))}
      </div>
    </div>
  );
}
