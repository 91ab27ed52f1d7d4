// The Kounta stand-in served over real HTTP from Node, where its network faults are real:
//
//   node dev/kounta-stand-in/node-server.ts [--port 8788] [--host localhost] [--client-id ID] [--client-secret SECRET] [--quiet]
//
// (Node 22 runs this .ts file as it is: only erasable TypeScript here and in the files it imports.)
// `npm run dev` and `npm run bench` start it on :8788, the vitest global setup (test/global-setup.ts) on a
// free port. The demo company 456 is seeded with its webhook to the loyalty Worker of `npm run dev`.
//
// The app (app.ts) is pure Hono + Web APIs; this file carries Node's requests to it and its answers back,
// and does what a Worker cannot: `connection_lost` resets the TCP connection once the call was carried
// out (the caller gets no answer), `no_answer` holds the socket without a word until the caller gives up,
// `late_answer` answers only after its delay (the app itself waits).
import { createKountaStandIn, type KountaStandIn } from "./app.ts";
import { CONNECTION_LOST_HEADER } from "./state.ts";

// The project has no @types/node (its TypeScript sees the Workers runtime), so the little of Node used
// here is typed here, and the modules are taken with process.getBuiltinModule.
interface NodeSocket {
  destroyed: boolean;
  destroy(): void;
  /** Closes the connection with a TCP RST (Node 16.17+). */
  resetAndDestroy?(): void;
}

interface NodeRequest extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Names and values alternating, as received. */
  rawHeaders: string[];
  socket: NodeSocket;
}

interface NodeResponse {
  /** `headers`: names and values alternating (repeated names allowed). */
  writeHead(status: number, headers: string[]): void;
  end(body?: Uint8Array): void;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  on(event: "close", listener: () => void): void;
}

interface NodeServer {
  listen(port: number, host: string, callback: () => void): void;
  once(event: "error", listener: (err: Error & { code?: string }) => void): void;
  off(event: "error", listener: (err: Error & { code?: string }) => void): void;
  address(): { port: number } | string | null;
  close(callback?: () => void): void;
  closeAllConnections(): void;
}

interface NodeHttp {
  createServer(handler: (req: NodeRequest, res: NodeResponse) => void): NodeServer;
}

interface NodeProcess {
  argv: string[];
  exitCode?: number;
  getBuiltinModule(id: string): unknown;
  on(event: "SIGINT" | "SIGTERM" | "SIGHUP", listener: () => void): void;
  exit(code?: number): never;
}

const nodeProcess = (globalThis as unknown as { process: NodeProcess }).process;

export interface NodeStandInOptions {
  /** 0 (the default): a free port, chosen by the system (see `port` of the result). */
  port?: number;
  /**
   * Where to listen. "localhost" (the default): 127.0.0.1, and ::1 when the machine has it (whichever
   * address a client resolves localhost to). Any other value: that address only.
   */
  host?: string;
  /** Seed the demo company 456 (default true). */
  seedDemo?: boolean;
  /** With the demo, its orders/completed webhook to `npm run dev`'s Worker (default: as seedDemo). */
  demoWebhook?: boolean;
  clientId?: string;
  clientSecret?: string;
  /** One line per call (and per fault that ends a connection). Default: silent. */
  log?: (line: string) => void;
}

export interface NodeStandIn {
  /** http://<host>:<port>, the API under /v1, the control API under /_stand-in. */
  url: string;
  port: number;
  standIn: KountaStandIn;
  /** Stops listening and drops every connection (those held by no_answer too). */
  close(): Promise<void>;
}

/** Starts the stand-in on a Node HTTP server; resolves once it listens. */
export async function startNodeStandIn(options: NodeStandInOptions = {}): Promise<NodeStandIn> {
  const http = nodeProcess.getBuiltinModule("node:http") as NodeHttp;
  const seedDemo = options.seedDemo ?? true;
  const standIn = createKountaStandIn({
    seedDemo,
    demoWebhook: options.demoWebhook ?? seedDemo,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  });
  const log = options.log ?? (() => {});
  const host = options.host ?? "localhost";
  const hosts = host === "localhost" ? ["127.0.0.1", "::1"] : [host];

  let port = options.port ?? 0;
  const servers: NodeServer[] = [];
  for (const [i, address] of hosts.entries()) {
    const server = http.createServer((req, res) => {
      void handle(standIn, req, res, `http://${urlHost(address)}:${port}`, log);
    });
    try {
      await listen(server, port, address);
    } catch (err) {
      // ::1 beside 127.0.0.1 is a convenience: a machine without IPv6 goes on with IPv4 alone.
      const code = (err as { code?: string }).code;
      if (i > 0 && (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT")) continue;
      for (const s of servers) s.close();
      throw err;
    }
    const bound = server.address();
    if (port === 0 && bound && typeof bound === "object") port = bound.port;
    servers.push(server);
  }

  return {
    url: `http://${host === "localhost" ? "localhost" : urlHost(host)}:${port}`,
    port,
    standIn,
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}

function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function listen(server: NodeServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/** One HTTP request: to a Web Request, through the app, and its answer back (or a fault's silence). */
async function handle(standIn: KountaStandIn, req: NodeRequest, res: NodeResponse, fallbackOrigin: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const method = req.method ?? "GET";
  const label = `${method} ${req.url ?? "/"}`;
  let answered = false;
  res.on("close", () => {
    // The caller went away (its timeout, or a reset) before the answer was written: no_answer and
    // late_answer end this way.
    if (!answered && !res.writableFinished) log(`${label} -> the caller closed the connection after ${Date.now() - started} ms, unanswered`);
  });

  let response: Response;
  try {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const host = typeof req.headers.host === "string" && req.headers.host ? req.headers.host : null;
    // The origin the caller used: Location and X-Next-Page must name it.
    const url = new URL(req.url ?? "/", host ? `http://${host}` : fallbackOrigin);
    let body: Uint8Array | undefined;
    if (method !== "GET" && method !== "HEAD") {
      const chunks: Uint8Array[] = [];
      for await (const chunk of req) chunks.push(chunk);
      body = concat(chunks);
    }
    response = await standIn.app.fetch(new Request(url, { method, headers, body }));
  } catch (err) {
    // The caller went away while sending its body, or the adapter failed: nothing to answer to, or a 500.
    if (req.socket.destroyed) return;
    response = new Response(`kounta stand-in (node server): ${err instanceof Error ? err.message : String(err)}`, { status: 500 });
  }

  if (response.headers.get(CONNECTION_LOST_HEADER) === "connection_lost") {
    // The call was carried out; the caller gets no answer, only a reset connection.
    answered = true;
    await response.body?.cancel();
    if (req.socket.resetAndDestroy) req.socket.resetAndDestroy();
    else req.socket.destroy();
    log(`${label} -> ${response.status} carried out, then the connection reset (connection_lost)`);
    return;
  }

  const bytes = method === "HEAD" || response.status === 204 || response.status === 304 ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
  if (res.destroyed) {
    log(`${label} -> ${response.status} after ${Date.now() - started} ms, but the caller had gone`);
    return;
  }
  const raw: string[] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") raw.push(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) raw.push("set-cookie", cookie);
  if (!response.headers.has("content-length") && response.status !== 204 && response.status !== 304) raw.push("content-length", String(bytes.byteLength));
  answered = true;
  res.writeHead(response.status, raw);
  res.end(bytes.byteLength > 0 ? bytes : undefined);
  log(`${label} -> ${response.status} ${Date.now() - started} ms`);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Run as a program.

const USAGE = `node dev/kounta-stand-in/node-server.ts [--port 8788] [--host localhost] [--client-id ID] [--client-secret SECRET] [--quiet]`;

function parseCli(argv: string[]): NodeStandInOptions & { port: number; quiet: boolean } {
  const options = { port: 8788, quiet: false } as NodeStandInOptions & { port: number; quiet: boolean };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes("=") ? (argv[i]!.split(/=(.*)/s, 2) as [string, string]) : [argv[i]!, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--port": {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be a port number");
        options.port = port;
        break;
      }
      case "--host":
        options.host = value();
        break;
      case "--client-id":
        options.clientId = value();
        break;
      case "--client-secret":
        options.clientSecret = value();
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        nodeProcess.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\nusage: ${USAGE}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseCli(nodeProcess.argv.slice(2));
  const server = await startNodeStandIn({
    ...options,
    log: options.quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(`Kounta stand-in on ${server.url} (API ${server.url}/v1/, control API ${server.url}/_stand-in/)`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => nodeProcess.exit(0));
  };
  nodeProcess.on("SIGINT", stop);
  nodeProcess.on("SIGTERM", stop);
  nodeProcess.on("SIGHUP", stop);
}

if ((import.meta as ImportMeta & { main?: boolean }).main === true) {
  main().catch((err: unknown) => {
    console.error(`kounta stand-in: ${err instanceof Error ? err.message : String(err)}`);
    nodeProcess.exit(1);
  });
}
