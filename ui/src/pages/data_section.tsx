/**
 * The analysts' section (`#/data/…`): the data explorer, the fleet-wide dead letters and the
 * processors view, for every role (all read only).
 */
import { href } from "../router.ts";
import { SectionTabs } from "../components/section_tabs.tsx";
import { ExplorerPage } from "./explorer.tsx";
import { DlqPage } from "./dlq.tsx";
import { ProcessorsPage } from "./processors.tsx";

const TABS = [
  { view: "explorer", label: "Explorer" },
  { view: "dlq", label: "Dead letters" },
  { view: "processors", label: "Processors" },
].map((tab) => ({ ...tab, href: href({ page: "data", view: tab.view }) }));

export function DataSection({ view }: { view: string }) {
  const current = TABS.some((t) => t.view === view) ? view : "explorer";
  return (
    <>
      <SectionTabs label="Data" tabs={TABS} current={current} />
      {current === "explorer" && <ExplorerPage />}
      {current === "dlq" && <DlqPage />}
      {current === "processors" && <ProcessorsPage />}
    </>
  );
}
