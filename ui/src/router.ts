/**
 * Hash routes (`#/`, `#/devices/{id}`, `#/events`): the API process serves one `index.html`,
 * so the routes never reach the server and a reload lands on the same page.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "fleet" }
  | { page: "device"; id: string }
  | { page: "events" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  const device = /^\/devices\/([^/]+)$/.exec(path);
  if (device) return { page: "device", id: decodeURIComponent(device[1]!) };
  if (path === "/events") return { page: "events" };
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
