import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** The page's token: in the data folder, readable by its owner only. */
export function tokenFile(dataDir: string): string {
    return path.join(dataDir, "ui-token");
}

/** The page's token, made (random, 256 bits) the first time it is needed; the file is kept at mode 600. */
export function pageToken(dataDir: string): string {
    const file = tokenFile(dataDir);
    try {
        const token = fs.readFileSync(file, "utf8").trim();
        if (token.length >= 32) {
            if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
            return token;
        }
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const token = randomBytes(32).toString("base64url");
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${token}\n`, { mode: 0o600 });
    fs.renameSync(temp, file);
    return token;
}

/** Whether a peer address is this machine (127.0.0.0/8, ::1, or either mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
    if (!address) return false;
    const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
    if (net.isIPv4(plain)) return plain.startsWith("127.");
    return plain === "::1";
}

/** Whether a Host header names this machine by a loopback name (so a page on another site cannot be behind it). */
export function isLoopbackHost(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
    return name === "localhost" || name.endsWith(".localhost") || name === "::1" || (net.isIPv4(name) && name.startsWith("127."));
}

/** Compares a token without telling by its timing how much of it was right. */
export function sameToken(given: string | undefined | null, expected: string): boolean {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
}

/** What a request brings to be judged by. */
export interface RequestFacts {
    /** The peer's address. */
    remoteAddress: string | undefined;
    /** The Host header. */
    host: string | undefined;
    /** The token it carries (cookie, header or ?token=), if any. */
    token: string | null;
    method: string;
    /** The Origin header, sent by browsers with every POST. */
    origin: string | undefined;
    /** The X-Hark-Token header (the page sends it with every change). */
    headerToken: string | undefined;
}

/**
 * Whether a request may be answered, or why not. A request from this machine, addressed to it by a loopback name,
 * needs no token to read; any other (from the LAN, or through a name that could be another site's) needs the token.
 * A change (POST) needs the token in its header whoever sends it, and must come from the page's own origin: another
 * site open in the same browser can send requests, but cannot read the token.
 */
export function judgeRequest(facts: RequestFacts, token: string): { ok: true } | { ok: false; status: 401 | 403; why: string } {
    const local = isLoopbackAddress(facts.remoteAddress) && isLoopbackHost(facts.host);
    if (!local && !sameToken(facts.token, token)) {
        return { ok: false, status: 401, why: "this page needs its token from anywhere but this machine: open the address hark ui --show-token prints" };
    }
    if (facts.method !== "GET" && facts.method !== "HEAD") {
        if (facts.origin !== `http://${facts.host}`) return { ok: false, status: 403, why: "changes are accepted from hark's own page only (the Origin does not match)" };
        if (!sameToken(facts.headerToken, token)) return { ok: false, status: 403, why: "changes need the page's token in X-Hark-Token" };
    }
    return { ok: true };
}
