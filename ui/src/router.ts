/**
 * Hash routes (`#/`, `#/devices/{id}`, `#/events`, `#/alerts`, `#/rules`, `#/rules/new`,
 * `#/rules/{id}`, `#/webhooks`, `#/data/{view}`, `#/admin/{view}`, `#/firmware`, `#/ota`, `#/ota/new`,
 * `#/ota/{id}`, `#/cameras`, `#/cameras/{id}`): the API process serves one
 * `index.html`, so the routes never reach the server and a reload lands on the same page.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "fleet" }
  | { page: "device"; id: string }
  | { page: "events" }
  | { page: "alerts" }
  | { page: "rules" }
  | { page: "newRule" }
  | { page: "rule"; id: string }
  | { page: "webhooks" }
  | { page: "data"; view: string }
  | { page: "admin"; view: string }
  | { page: "firmware" }
  | { page: "ota" }
  | { page: "newCampaign" }
  | { page: "campaign"; id: string }
  | { page: "cameras" }
  | { page: "camera"; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  const device = /^\/devices\/([^/]+)$/.exec(path);
  if (device) return { page: "device", id: decodeURIComponent(device[1]!) };
  if (path === "/events") return { page: "events" };
  if (path === "/alerts") return { page: "alerts" };
  if (path === "/rules") return { page: "rules" };
  if (path === "/rules/new") return { page: "newRule" };
  const rule = /^\/rules\/([^/]+)$/.exec(path);
  if (rule) return { page: "rule", id: decodeURIComponent(rule[1]!) };
  if (path === "/webhooks") return { page: "webhooks" };
  if (path === "/firmware") return { page: "firmware" };
  if (path === "/ota") return { page: "ota" };
  if (path === "/ota/new") return { page: "newCampaign" };
  const campaign = /^\/ota\/([^/]+)$/.exec(path);
  if (campaign) return { page: "campaign", id: decodeURIComponent(campaign[1]!) };
  if (path === "/cameras") return { page: "cameras" };
  const camera = /^\/cameras\/([^/]+)$/.exec(path);
  if (camera) return { page: "camera", id: decodeURIComponent(camera[1]!) };
  const section = /^\/(data|admin)(?:\/([^/]*))?$/.exec(path);
  if (section) return { page: section[1] as "data" | "admin", view: decodeURIComponent(section[2] ?? "") };
  return { page: "fleet" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "fleet":
      return "#/";
    case "device":
      return `#/devices/${encodeURIComponent(route.id)}`;
    case "events":
      return "#/events";
    case "alerts":
      return "#/alerts";
    case "rules":
      return "#/rules";
    case "newRule":
      return "#/rules/new";
    case "rule":
      return `#/rules/${encodeURIComponent(route.id)}`;
    case "webhooks":
      return "#/webhooks";
    case "firmware":
      return "#/firmware";
    case "ota":
      return "#/ota";
    case "newCampaign":
      return "#/ota/new";
    case "campaign":
      return `#/ota/${encodeURIComponent(route.id)}`;
    case "cameras":
      return "#/cameras";
    case "camera":
      return `#/cameras/${encodeURIComponent(route.id)}`;
    case "data":
    case "admin":
      return `#/${route.page}${route.view ? `/${encodeURIComponent(route.view)}` : ""}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}
