/**
 * Wyoming events on the wire: one JSON header line (`type`, `version`, and the lengths of what follows), then
 * optionally `data_length` bytes of JSON merged into the header's `data`, then `payload_length` bytes of binary
 * payload (audio). Written from the protocol; this folder imports nothing else of hark's.
 */

/** The protocol version hark speaks (the one the Python reference implementation writes). */
export const WYOMING_VERSION = "1.5.4";

/** One Wyoming event. */
export interface WyomingEvent {
    type: string;
    data: Record<string, unknown>;
    payload?: Buffer;
}

/** The other side sent something that is not a Wyoming event, or one larger than hark accepts. */
export class WyomingProtocolError extends Error {
    public readonly code = "HARK_WYOMING_PROTOCOL";

    public constructor(message: string) {
        super(message);
        this.name = "WyomingProtocolError";
    }
}

/** Limits that keep a misbehaving peer from making hark buffer without end. */
export interface EventLimits {
    /** Longest header line or data block accepted, in bytes. Defaults to 1 MiB. */
    maxJsonBytes?: number;
    /** Largest payload accepted, in bytes. Defaults to 16 MiB (about 8 minutes of 16 kHz 16-bit audio). */
    maxPayloadBytes?: number;
}

/** The bytes of one event as the protocol writes them. */
export function encodeEvent(event: WyomingEvent): Buffer {
    const header: Record<string, unknown> = { type: event.type, version: WYOMING_VERSION };
    const hasData = Object.keys(event.data).length > 0;
    const data = hasData ? Buffer.from(JSON.stringify(event.data), "utf8") : null;
    if (data) header.data_length = data.length;
    if (event.payload?.length) header.payload_length = event.payload.length;
    const parts: Buffer[] = [Buffer.from(`${JSON.stringify(header)}\n`, "utf8")];
    if (data) parts.push(data);
    if (event.payload?.length) parts.push(event.payload);
    return Buffer.concat(parts);
}

/**
 * Turns a byte stream into events. Feed it whatever the socket gives ({@link EventParser.push}); it returns the events
 * those bytes completed and keeps the rest for the next call.
 */
export class EventParser {
    private buffered: Buffer = Buffer.alloc(0);
    /** The header read so far, waiting for its data and payload bytes. */
    private header: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;
    private readonly maxJsonBytes: number;
    private readonly maxPayloadBytes: number;

    public constructor(limits: EventLimits = {}) {
        this.maxJsonBytes = limits.maxJsonBytes ?? 1 << 20;
        this.maxPayloadBytes = limits.maxPayloadBytes ?? 16 << 20;
    }

    /** Adds bytes; returns the events they completed. Throws {@link WyomingProtocolError} on malformed input. */
    public push(bytes: Buffer): WyomingEvent[] {
        this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
        const events: WyomingEvent[] = [];
        for (;;) {
            if (this.header == null) {
                const newline = this.buffered.indexOf(0x0a);
                if (newline < 0) {
                    if (this.buffered.length > this.maxJsonBytes) throw new WyomingProtocolError(`an event header longer than ${this.maxJsonBytes} bytes`);
                    return events;
                }
                const line = this.buffered.subarray(0, newline).toString("utf8").trim();
                this.buffered = this.buffered.subarray(newline + 1);
                if (line) this.header = parseHeader(line, this.maxJsonBytes, this.maxPayloadBytes);
                continue;
            }
            const { dataLength, payloadLength } = this.header;
            if (this.buffered.length < dataLength + payloadLength) return events;
            const data = { ...this.header.data };
            if (dataLength > 0) Object.assign(data, parseObject(this.buffered.subarray(0, dataLength).toString("utf8"), "event data"));
            const payload = payloadLength > 0 ? Buffer.from(this.buffered.subarray(dataLength, dataLength + payloadLength)) : undefined;
            this.buffered = this.buffered.subarray(dataLength + payloadLength);
            events.push({ type: this.header.type, data, ...(payload ? { payload } : {}) });
            this.header = null;
        }
    }

    /** Whether bytes of an unfinished event are waiting (the stream ended in the middle of one). */
    public get pending(): boolean {
        return this.header != null || this.buffered.length > 0;
    }
}

function parseHeader(line: string, maxJsonBytes: number, maxPayloadBytes: number) {
    const header = parseObject(line, "event header");
    if (typeof header.type !== "string" || !header.type) throw new WyomingProtocolError(`an event header without a type: ${line.slice(0, 200)}`);
    const length = (name: string, max: number): number => {
        const value = header[name] ?? 0;
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new WyomingProtocolError(`${name} must be a whole number of bytes, not ${JSON.stringify(value)}`);
        if (value > max) throw new WyomingProtocolError(`a ${header.type} event with ${name} ${value}, more than the ${max} bytes accepted`);
        return value;
    };
    const data = header.data ?? {};
    if (typeof data !== "object" || Array.isArray(data) || data === null) throw new WyomingProtocolError(`the data of a ${header.type} event must be an object`);
    return { type: header.type, data: data as Record<string, unknown>, dataLength: length("data_length", maxJsonBytes), payloadLength: length("payload_length", maxPayloadBytes) };
}

function parseObject(text: string, what: string): Record<string, unknown> {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new WyomingProtocolError(`${what} is not JSON (${(error as Error).message}): ${text.slice(0, 200)}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new WyomingProtocolError(`${what} must be a JSON object: ${text.slice(0, 200)}`);
    return value as Record<string, unknown>;
}
