import os from "node:os";

/** An mDNS announcement that can be taken back. */
export interface Announcement {
    dispose(): Promise<void>;
}

/**
 * Announces a Wyoming service on the local network over mDNS (`_wyoming._tcp`, as the protocol's own servers do), so
 * Home Assistant discovers it. `name` defaults to the machine's host name.
 */
export async function announceWyoming(port: number, name = `hark on ${os.hostname()}`): Promise<Announcement> {
    const { Bonjour } = await import("bonjour-service");
    const bonjour = new Bonjour();
    bonjour.publish({ name, type: "wyoming", protocol: "tcp", port });
    return {
        dispose: () => new Promise<void>((resolve) => {
            bonjour.unpublishAll(() => {
                bonjour.destroy();
                resolve();
            });
        })
    };
}
