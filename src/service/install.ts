import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { commentedConfig } from "../config/commented.ts";
import { ConfigSchema } from "../config/schema.ts";
import { HarkError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { runProgram } from "../util/program.ts";

/** Where the service's pieces go (inside the install root). */
export const SERVICE_FILES = {
    unit: "/etc/systemd/system/hark.service",
    dropInDir: "/etc/systemd/system/hark.service.d",
    dropIn: "/etc/systemd/system/hark.service.d/10-install.conf",
    wants: "/etc/systemd/system/multi-user.target.wants/hark.service",
    sysusers: "/etc/sysusers.d/hark.conf",
    configDir: "/etc/hark",
    config: "/etc/hark/config.yaml",
    schema: "/etc/hark/config.schema.json",
    command: "/usr/local/bin/hark",
    stateDir: "/var/lib/hark"
} as const;

/** The account that owns the config and intents folder: the person who installs (sudo's caller). */
export interface Owner {
    name: string;
    uid: number;
    gid: number;
    home: string;
}

/** Options for {@link installService}. */
export interface ServiceInstallOptions {
    /** Install into this folder instead of `/` (tests, images). Nothing is started then. */
    root: string;
    /** Where hark is (its package.json). Defaults to this checkout. */
    appDir?: string;
    /** The Node.js binary the service runs. Defaults to the one running now. */
    nodePath?: string;
    owner: Owner;
    /** Folder for the owner's own intent files, watched by the service. Defaults to /etc/hark/intents. */
    intentsDir?: string;
    /** Music folder for play_song. Defaults to the owner's ~/Music when it exists, else /var/lib/hark/music. */
    musicDir?: string;
    /** Start (or restart) the service when systemd runs here. Defaults to `true`. */
    start?: boolean;
    /** One line per step. */
    report: (line: string) => void;
}

/** Options for {@link uninstallService}. */
export interface ServiceUninstallOptions {
    root: string;
    /** Also delete /var/lib/hark: timers, traces, downloaded models. */
    purge?: boolean;
    report: (line: string) => void;
}

/** The owner: `$SUDO_USER` when run through sudo, else whoever runs this. */
export function currentOwner(env: NodeJS.ProcessEnv = process.env): Owner {
    const name = env.SUDO_USER && env.SUDO_USER !== "root" ? env.SUDO_USER : os.userInfo().username;
    const entry = fs.readFileSync("/etc/passwd", "utf8").split("\n").map((l) => l.split(":")).find((f) => f[0] === name);
    if (!entry) throw new HarkError("HARK_SERVICE_INSTALL", `user ${name} is not in /etc/passwd; pass --owner NAME`);
    return { name, uid: Number(entry[2]), gid: Number(entry[3]), home: entry[5] ?? "/" };
}

/** Looks up an owner by name in /etc/passwd. */
export function ownerNamed(name: string): Owner {
    return currentOwner({ SUDO_USER: name });
}

/** True when systemd is the running init here (not in a container or a chroot). */
export function systemdRunning(): boolean {
    return fs.existsSync("/run/systemd/system");
}

/**
 * The unit from systemd/hark.service, pointed at this hark and this Node.js. Paths under /home or /root are hidden
 * from the service by ProtectHome=; they are mounted back read-only by the drop-in from {@link homeDropIn}.
 */
export function renderUnit(appDir: string, nodePath: string): string {
    const template = fs.readFileSync(path.join(packageRoot, "systemd", "hark.service"), "utf8");
    return template.replaceAll("/usr/bin/node /opt/hark/", `${nodePath} ${appDir}/`).replaceAll("/opt/hark/", `${appDir}/`);
}

function underHome(p: string): boolean {
    return p === "/root" || p.startsWith("/root/") || p === "/home" || p.startsWith("/home/");
}

/** A drop-in that mounts folders under /home (hark's checkout, Node.js from nvm, the music) into the service, read-only. */
export function homeDropIn(paths: readonly string[]): string | null {
    const inHome = [...new Set(paths.filter(underHome))].sort();
    if (inHome.length === 0) return null;
    return [
        "# Written by hark service install: these folders are under /home or /root, which ProtectHome= hides;",
        "# an empty /home is shown instead, with just them mounted in, read-only.",
        "[Service]",
        "ProtectHome=tmpfs",
        ...inHome.map((p) => `BindReadOnlyPaths=${p}`),
        ""
    ].join("\n");
}

/** The hark account (systemd-sysusers), in the audio group; the owner joins the hark group to read its traces. */
function sysusers(owner: Owner): string {
    return [
        "# The hark service's account, in the audio group for the microphone and speaker.",
        'u hark - "hark voice assistant" /var/lib/hark /usr/sbin/nologin',
        "m hark audio",
        ...(owner.uid === 0 ? [] : [`# ${owner.name} may read /var/lib/hark (traces, timers, models) through the hark group.`, `m ${owner.name} hark`]),
        ""
    ].join("\n");
}

/**
 * Installs hark as a systemd service: the hardened unit, the hark user, /etc/hark with a commented config (only when
 * there is none: an existing config is never touched), the owner's intents folder, a `hark` command, and enables and
 * starts it. Safe to run again: files that are already right are left alone, and the same root gets the same files.
 */
export async function installService(o: ServiceInstallOptions): Promise<void> {
    const root = path.resolve(o.root);
    const inRoot = (p: string): string => path.join(root, p);
    const appDir = path.resolve(o.appDir ?? packageRoot);
    const nodePath = o.nodePath ?? process.execPath;
    const intentsDir = path.resolve(o.intentsDir ?? path.join(SERVICE_FILES.configDir, "intents"));
    const ownMusic = path.join(o.owner.home, "Music");
    const musicDir = path.resolve(o.musicDir ?? (o.owner.uid !== 0 && fs.existsSync(ownMusic) ? ownMusic : path.join(SERVICE_FILES.stateDir, "music")));
    if (root === "/" && process.getuid?.() !== 0) {
        throw new HarkError("HARK_SERVICE_INSTALL", "installing the service needs root: run sudo ./scripts/setup.sh --service (or sudo hark service install)");
    }
    // The unit names hark, Node.js and any folder it binds from /home; systemd splits those at spaces.
    for (const p of [appDir, nodePath, ...[intentsDir, musicDir].filter(underHome)]) {
        if (/[\s"'\\$%]/.test(p)) throw new HarkError("HARK_SERVICE_INSTALL", `${p}: the unit cannot name a path with spaces, quotes or $/%; move it or pick another (hark itself: /opt/hark)`);
    }
    for (const program of ["systemd-sysusers", "systemctl"]) await requireProgram(program);
    if (!fs.existsSync(path.join(appDir, "node_modules"))) {
        throw new HarkError("HARK_SERVICE_INSTALL", `${appDir} has no node_modules; run ./scripts/setup.sh there first`);
    }
    const write = (file: string, text: string, mode: number, owner?: Owner): void => {
        const target = inRoot(file);
        const same = fs.existsSync(target) && fs.readFileSync(target, "utf8") === text;
        if (!same) {
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, text);
        }
        fs.chmodSync(target, mode);
        if (owner && process.getuid?.() === 0) fs.chownSync(target, owner.uid, owner.gid);
        o.report(`${same ? "unchanged" : "wrote    "} ${file}`);
    };

    write(SERVICE_FILES.unit, renderUnit(appDir, nodePath), 0o644);
    const dropIn = homeDropIn([appDir, path.dirname(path.dirname(nodePath)), intentsDir, musicDir]);
    if (dropIn) write(SERVICE_FILES.dropIn, dropIn, 0o644);
    else removeIfPresent(inRoot(SERVICE_FILES.dropIn), SERVICE_FILES.dropIn, o.report);
    write(SERVICE_FILES.sysusers, sysusers(o.owner), 0o644);
    await runProgram(["systemd-sysusers", `--root=${root}`, inRoot(SERVICE_FILES.sysusers)]);
    o.report(`user      hark (member of audio)${o.owner.uid === 0 ? "" : `; ${o.owner.name} joins group hark (log in again to use it)`}`);

    fs.mkdirSync(inRoot(SERVICE_FILES.configDir), { recursive: true, mode: 0o755 });
    if (fs.existsSync(inRoot(SERVICE_FILES.config))) {
        o.report(`kept      ${SERVICE_FILES.config} (yours; delete it and install again for a fresh one)`);
    } else {
        const config = commentedConfig({
            paths: { intentsDirs: [intentsDir], dataDir: SERVICE_FILES.stateDir, modelsDir: path.join(SERVICE_FILES.stateDir, "models") },
            music: { dir: musicDir }
        }, [
            "Written by `hark service install` for the hark service, which reads it (HARK_CONFIG in the unit). LLM settings",
            "apply as soon as the file is saved; everything else after `sudo systemctl restart hark`. Uninstalling keeps it."
        ]);
        write(SERVICE_FILES.config, config, 0o644, o.owner);
    }
    write(SERVICE_FILES.schema, `${JSON.stringify(ConfigSchema, null, 2)}\n`, 0o644);
    const intentsTarget = inRoot(intentsDir);
    if (!fs.existsSync(intentsTarget)) {
        fs.mkdirSync(intentsTarget, { recursive: true, mode: 0o755 });
        if (process.getuid?.() === 0) fs.chownSync(intentsTarget, o.owner.uid, o.owner.gid);
        o.report(`created   ${intentsDir} (owned by ${o.owner.name}: drop intent files here; the service picks them up)`);
    } else {
        o.report(`kept      ${intentsDir}`);
    }
    linkCommand(inRoot(SERVICE_FILES.command), path.join(appDir, "bin", "hark.js"), o.report);

    await runProgram(["systemctl", `--root=${root}`, "enable", "hark.service"]);
    o.report("enabled   hark.service (starts at boot)");
    if (root !== "/" || o.start === false) return;
    if (!systemdRunning()) {
        o.report("systemd is not running on this machine (a container or chroot?): installed, not started");
        return;
    }
    await runProgram(["systemctl", "daemon-reload"]);
    await runProgram(["systemctl", "restart", "hark.service"], { timeoutMs: 200_000 });
    o.report("started   hark.service: see it with `hark service status` or `journalctl -u hark -f`");
}

/**
 * Removes what {@link installService} added: the unit and its drop-in, the hark user, the `hark` command. Keeps
 * /etc/hark (the config and the owner's intents) and, unless `purge`, /var/lib/hark (timers, traces, models).
 */
export async function uninstallService(o: ServiceUninstallOptions): Promise<void> {
    const root = path.resolve(o.root);
    const inRoot = (p: string): string => path.join(root, p);
    if (root === "/" && process.getuid?.() !== 0) {
        throw new HarkError("HARK_SERVICE_INSTALL", "removing the service needs root: sudo hark service uninstall");
    }
    if (root === "/" && systemdRunning()) {
        await runProgram(["systemctl", "disable", "--now", "hark.service"], { timeoutMs: 60_000 }).catch(() => undefined);
        o.report("stopped   hark.service");
    } else if (fs.existsSync(inRoot(SERVICE_FILES.unit))) {
        await runProgram(["systemctl", `--root=${root}`, "disable", "hark.service"]);
    }
    removeIfPresent(inRoot(SERVICE_FILES.wants), SERVICE_FILES.wants, o.report);
    removeIfPresent(inRoot(SERVICE_FILES.dropIn), SERVICE_FILES.dropIn, o.report);
    if (fs.existsSync(inRoot(SERVICE_FILES.dropInDir)) && fs.readdirSync(inRoot(SERVICE_FILES.dropInDir)).length === 0) fs.rmdirSync(inRoot(SERVICE_FILES.dropInDir));
    removeIfPresent(inRoot(SERVICE_FILES.unit), SERVICE_FILES.unit, o.report);
    removeIfPresent(inRoot(SERVICE_FILES.sysusers), SERVICE_FILES.sysusers, o.report);
    removeIfPresent(inRoot(SERVICE_FILES.schema), SERVICE_FILES.schema, o.report);
    const command = inRoot(SERVICE_FILES.command);
    if (fs.lstatSync(command, { throwIfNoEntry: false })?.isSymbolicLink() && fs.readlinkSync(command).endsWith(path.join("bin", "hark.js"))) {
        removeIfPresent(command, SERVICE_FILES.command, o.report);
    }
    if (passwdHas(root, "hark")) {
        await runProgram(["userdel", ...(root === "/" ? [] : ["--root", root]), "hark"]);
        o.report("removed   user hark");
    }
    if (groupHas(root, "hark")) await runProgram(["groupdel", ...(root === "/" ? [] : ["--root", root]), "hark"]);
    if (o.purge) {
        fs.rmSync(inRoot(SERVICE_FILES.stateDir), { recursive: true, force: true });
        o.report(`removed   ${SERVICE_FILES.stateDir} (timers, traces, downloaded models)`);
    } else if (fs.existsSync(inRoot(SERVICE_FILES.stateDir))) {
        o.report(`kept      ${SERVICE_FILES.stateDir} (timers, traces, downloaded models; --purge deletes it)`);
    }
    if (fs.existsSync(inRoot(SERVICE_FILES.configDir))) o.report(`kept      ${SERVICE_FILES.configDir} (your config and intents)`);
    if (root === "/" && systemdRunning()) await runProgram(["systemctl", "daemon-reload"]);
}

function removeIfPresent(target: string, shown: string, report: (line: string) => void): void {
    if (!fs.lstatSync(target, { throwIfNoEntry: false })) return;
    fs.rmSync(target, { force: true });
    report(`removed   ${shown}`);
}

function linkCommand(link: string, target: string, report: (line: string) => void): void {
    const existing = fs.lstatSync(link, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink() && fs.readlinkSync(link) === target) {
        report(`unchanged ${SERVICE_FILES.command}`);
        return;
    }
    if (existing && !existing.isSymbolicLink()) {
        report(`kept      ${SERVICE_FILES.command} (not hark's link; run hark as ${target})`);
        return;
    }
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
    report(`linked    ${SERVICE_FILES.command} → ${target}`);
}

function passwdHas(root: string, name: string): boolean {
    return readLines(path.join(root, "etc", "passwd")).some((l) => l.startsWith(`${name}:`));
}

function groupHas(root: string, name: string): boolean {
    return readLines(path.join(root, "etc", "group")).some((l) => l.startsWith(`${name}:`));
}

function readLines(file: string): string[] {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
}

async function requireProgram(program: string): Promise<void> {
    await runProgram([program, "--version"]).catch((error: unknown) => {
        throw new HarkError("HARK_SERVICE_INSTALL", `${program} is needed to install the service and is missing or broken (${(error as Error).message}); hark's service needs systemd`);
    });
}
