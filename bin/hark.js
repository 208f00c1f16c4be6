#!/usr/bin/env node
// hark runs its TypeScript sources directly through tsx: no build step, and intent files can be TypeScript too.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
