import fs from "node:fs";
import net from "node:net";
import { encodeEvent, EventParser, WyomingProtocolError, type EventLimits, type WyomingEvent } from "./event.ts";

/** Where a Wyoming peer listens: `tcp://HOST:PORT` or `unix:///path/to.sock`, the protocol's usual URI forms. */
export type WyomingAddress = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

/** Reads a Wyoming URI; throws a message that shows the accepted forms. */
export function parseWyomingUri(uri: string): WyomingAddress {
    let url: URL;
    try {
        url = new URL(uri);
    } catch {
        throw new WyomingProtocolError(`"${uri}" is not a Wyoming address; write tcp://HOST:PORT (e.g. tcp://127.0.0.1:10700) or unix:///path/to.sock`);
    }
    if (url.protocol === "unix:") {
        if (!url.pathname || url.pathname === "/") throw new WyomingProtocolError(`"${uri}" names no socket file; write unix:///path/to.sock`);
        return { kind: "unix", path: decodeURIComponent(url.pathname) };
    }
    if (url.protocol === "tcp:") {
        const port = Number(url.port);
        // Port 0 is for listening: the system picks a free port.
        if (!url.hostname || !url.port || !Number.isInteger(port) || port < 0 || port > 65535) {
            throw new WyomingProtocolError(`"${uri}" needs a host and a port, e.g. tcp://127.0.0.1:10700`);
        }
        return { kind: "tcp", host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
    }
    throw new WyomingProtocolError(`"${uri}": only tcp:// and unix:// Wyoming addresses are supported`);
}

/** One Wyoming conversation over a socket: events in (async iteration), events out ({@link WyomingConnection.send}). */
export class WyomingConnection implements AsyncIterable<WyomingEvent> {
    private readonly parser: EventParser;
    private readonly queue: WyomingEvent[] = [];
    private waiting: (() => void) | null = null;
    private failure: Error | null = null;
    private ended = false;

    public constructor(private readonly socket: net.Socket, limits: EventLimits = {}) {
        this.parser = new EventParser(limits);
        socket.on("data", (bytes: Buffer) => {
            try {
                this.queue.push(...this.parser.push(bytes));
            } catch (error) {
                this.failure = error as Error;
                socket.destroy();
            }
            this.wake();
        });
        socket.on("error", (error) => {
            this.failure ??= error;
            this.wake();
        });
        socket.on("close", () => {
            this.ended = true;
            this.wake();
        });
    }

    /** Connects to a peer at `uri`; rejects after `timeoutMs` (defaults to 5 s) or when `signal` aborts. */
    public static connect(uri: string, options: { timeoutMs?: number; signal?: AbortSignal; limits?: EventLimits } = {}): Promise<WyomingConnection> {
        return new Promise((resolve, reject) => {
            const address = parseWyomingUri(uri);
            const socket = address.kind === "tcp" ? net.connect({ host: address.host, port: address.port }) : net.connect({ path: address.path });
            const fail = (error: Error) => {
                cleanup();
                socket.destroy();
                reject(error);
            };
            const onError = (error: NodeJS.ErrnoException) => fail(new Error(`cannot reach ${uri}: ${error.code ?? error.message}`, { cause: error }));
            const onAbort = () => fail(new Error(`connecting to ${uri} was aborted`));
            const timer = setTimeout(() => fail(new Error(`cannot reach ${uri}: no answer within ${options.timeoutMs ?? 5000} ms`)), options.timeoutMs ?? 5000);
            const cleanup = () => {
                clearTimeout(timer);
                socket.off("error", onError);
                options.signal?.removeEventListener("abort", onAbort);
            };
            socket.once("error", onError);
            options.signal?.addEventListener("abort", onAbort, { once: true });
            socket.once("connect", () => {
                cleanup();
                socket.setNoDelay(true);
                resolve(new WyomingConnection(socket, options.limits));
            });
        });
    }

    /** Who is on the other end, for logs. */
    public get peer(): string {
        return this.socket.remoteAddress ? `${this.socket.remoteAddress}:${this.socket.remotePort}` : "unix socket";
    }

    /** Whether the connection can still send. */
    public get open(): boolean {
        return !this.ended && !this.socket.destroyed && this.socket.writable;
    }

    /** Writes one event; resolves once the socket took it (waits when the peer reads slower than hark writes). */
    public send(event: WyomingEvent): Promise<void> {
        if (!this.open) return Promise.reject(new Error(`cannot send ${event.type}: the connection to ${this.peer} is closed`));
        return new Promise((resolve, reject) => {
            this.socket.write(encodeEvent(event), (error) => (error ? reject(error) : resolve()));
        });
    }

    /** The next event, or `null` when the peer closed the connection. Throws on a protocol or socket error. */
    public async next(): Promise<WyomingEvent | null> {
        for (;;) {
            const event = this.queue.shift();
            if (event) return event;
            if (this.failure) throw this.failure;
            if (this.ended) {
                if (this.parser.pending) throw new WyomingProtocolError(`the connection to ${this.peer} closed in the middle of an event`);
                return null;
            }
            await new Promise<void>((resolve) => (this.waiting = resolve));
        }
    }

    public async *[Symbol.asyncIterator](): AsyncIterator<WyomingEvent> {
        for (let event = await this.next(); event; event = await this.next()) yield event;
    }

    /** Ends the connection (safe twice). */
    public close(): void {
        // Whatever was written still goes out; then the socket closes whether or not the peer ends its side.
        this.socket.end(() => this.socket.destroy());
    }

    private wake(): void {
        const waiting = this.waiting;
        this.waiting = null;
        waiting?.();
    }
}

/** A listening Wyoming server; every accepted connection goes to the handler given to {@link WyomingServer.listen}. */
export class WyomingServer {
    private readonly connections = new Set<WyomingConnection>();

    private constructor(private readonly server: net.Server, public readonly uri: string, private readonly socketFile: string | null) {}

    /**
     * Listens at `uri` (`tcp://HOST:PORT`, port 0 picks a free one; or `unix:///path`). A stale unix socket file that
     * nobody answers on is replaced; one that is in use is an error.
     */
    public static async listen(uri: string, onConnection: (connection: WyomingConnection) => Promise<void>, limits: EventLimits = {}): Promise<WyomingServer> {
        const address = parseWyomingUri(uri);
        if (address.kind === "unix" && fs.existsSync(address.path)) {
            if (await answers(address.path)) throw new Error(`${address.path} is in use by another program; stop it or choose another socket`);
            fs.rmSync(address.path, { force: true });
        }
        let wyoming: WyomingServer | null = null;
        const server = net.createServer((socket) => {
            socket.setNoDelay(true);
            const connection = new WyomingConnection(socket, limits);
            wyoming?.connections.add(connection);
            void onConnection(connection).finally(() => {
                wyoming?.connections.delete(connection);
                connection.close();
            });
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen at ${uri}: ${error.code === "EADDRINUSE" ? "the address is in use (is another hark or Wyoming service running?)" : error.code ?? error.message}`, { cause: error })));
            if (address.kind === "tcp") server.listen(address.port, address.host, resolve);
            else server.listen(address.path, resolve);
        });
        const bound = server.address();
        const actual = address.kind === "unix" ? uri : typeof bound === "object" && bound ? `tcp://${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}` : uri;
        wyoming = new WyomingServer(server, actual, address.kind === "unix" ? address.path : null);
        return wyoming;
    }

    /** Stops listening and closes every connection (safe twice). */
    public async dispose(): Promise<void> {
        for (const connection of this.connections) connection.close();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        if (this.socketFile) fs.rmSync(this.socketFile, { force: true });
    }

    public async [Symbol.asyncDispose](): Promise<void> {
        await this.dispose();
    }
}

/** Whether something accepts connections on the unix socket at `file`. */
function answers(file: string): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ path: file });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}
