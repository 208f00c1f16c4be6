// What `import ... from "hark"` gives intent code in a handler worker: the runtime helpers an intent needs, without
// the rest of hark (a worker that loaded all of hark would cost as much memory as hark itself).
export { defineIntent } from "../intents/define.ts";
export { describeDuration } from "../util/duration.ts";
export { HarkError, ExternalProgramError, PlaybackError, HandlerTimeoutError, ArgumentsInvalidError } from "../errors.ts";
