/** The tabs of a section (Data: explorer, DLQ, processors; Admin: devices, users, …) as links. */
export interface SectionTab {
  view: string;
  label: string;
  href: string;
}

export function SectionTabs(
  { label, tabs, current }: { label: string; tabs: SectionTab[]; current: string },
) {
  return (
    <nav class="section-tabs" aria-label={label}>
      {tabs.map((tab) => (
        <a key={tab.view} href={tab.href} aria-current={tab.view === current ? "page" : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}
