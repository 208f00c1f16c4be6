/** A length of time as an intent receives it: whole hours, minutes and seconds, any of them missing. */
export interface DurationArgs {
    hours?: number;
    minutes?: number;
    seconds?: number;
}

/** The length of time in milliseconds (0 when no unit was given). */
export function durationMs(args: DurationArgs): number {
    return ((args.hours ?? 0) * 3600 + (args.minutes ?? 0) * 60 + (args.seconds ?? 0)) * 1000;
}

/** "1 hour and 30 minutes", "5 minutes", "45 seconds". */
export function describeDuration(ms: number): string {
    let seconds = Math.round(ms / 1000);
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    const parts = [
        hours ? `${hours} hour${hours === 1 ? "" : "s"}` : "",
        minutes ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "",
        seconds ? `${seconds} second${seconds === 1 ? "" : "s"}` : ""
    ].filter(Boolean);
    return parts.length === 0 ? "0 seconds" : spokenList(parts);
}

/** "a", "a and b", "a, b and c". */
export function spokenList(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
