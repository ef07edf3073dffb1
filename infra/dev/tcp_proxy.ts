/**
 * Test support: a loopback TCP proxy in front of a real engine that a test can cut and restore.
 * An outage made this way is deterministic and gives the driver the errors of a real one (a reset
 * connection, then "connection refused") without stopping an engine that other tests share.
 */

export interface TcpProxy {
  /** The proxy's loopback port: connect here instead of to the engine. */
  readonly port: number;
  /** Drops every open connection and refuses new ones, as a stopped server would. */
  cut(): void;
  /** Accepts connections again, on the same port. */
  restore(): void;
  close(): void;
}

export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const open = new Set<Deno.Conn>();
  let listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;

  const forward = async (client: Deno.Conn) => {
    const server = await Deno.connect(target).catch(() => undefined);
    if (!server) return client.close();
    open.add(client).add(server);
    const closeBoth = () => {
      for (const conn of [client, server]) {
        if (open.delete(conn)) conn.close();
      }
    };
    // pipeTo closes the writable side when the readable ends; errors just mean "cut".
    await Promise.allSettled([
      client.readable.pipeTo(server.writable, { preventClose: true }),
      server.readable.pipeTo(client.writable, { preventClose: true }),
    ].map((p) => p.finally(closeBoth)));
  };

  const accept = async (current: Deno.Listener) => {
    try {
      for await (const conn of current) forward(conn);
    } catch {
      // the listener was closed by cut() or close()
    }
  };
  accept(listener);

  const dropAll = () => {
    for (const conn of open) {
      try {
        conn.close();
      } catch {
        // already closed by its pipe
      }
    }
    open.clear();
  };
  let listening = true;

  return {
    port,
    cut() {
      if (listening) listener.close();
      listening = false;
      dropAll();
    },
    restore() {
      if (listening) return;
      listener = Deno.listen({ hostname: "127.0.0.1", port });
      listening = true;
      accept(listener);
    },
    close() {
      this.cut();
    },
  };
}
