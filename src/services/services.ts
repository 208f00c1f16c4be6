import type { Player } from "../audio/player.ts";
import type { MusicService } from "./music.ts";
import type { TimerService } from "./timers.ts";
import type { VolumeControl } from "./volume.ts";

/** Shared capabilities handed to every intent handler. */
export interface Services {
    player: Player;
    music: MusicService;
    timers: TimerService;
    volume: VolumeControl;
    /** `fetch`, replaceable in tests. */
    fetch: typeof fetch;
}
