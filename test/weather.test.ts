import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Assistant } from "../src/pipeline/assistant.ts";
import { silentLogger, testConfig } from "./helpers.ts";

/** A local stand-in for Open-Meteo's geocoding and forecast APIs, answering in their formats. */
function openMeteoStub() {
    const requests: URL[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://127.0.0.1");
        requests.push(url);
        res.setHeader("content-type", "application/json");
        if (url.pathname === "/v1/search") {
            const name = url.searchParams.get("name")!.toLowerCase();
            const results = name === "boston" ? [{ id: 4930956, name: "Boston", latitude: 42.35843, longitude: -71.05977, country: "United States", admin1: "Massachusetts", timezone: "America/New_York" }] : undefined;
            res.end(JSON.stringify(results ? { results, generationtime_ms: 0.5 } : { generationtime_ms: 0.5 }));
        } else if (url.pathname === "/v1/forecast") {
            // As Open-Meteo with timezone=auto: the place's local days, as many as asked for (this stand-in's place is local).
            const count = Number(url.searchParams.get("forecast_days") ?? 7);
            const days = Array.from({ length: count }, (_, i) => localDay(i));
            const repeat = <T>(week: T[]): T[] => Array.from({ length: count }, (_, i) => week[i % week.length]!);
            res.end(JSON.stringify({
                latitude: Number(url.searchParams.get("latitude")), longitude: Number(url.searchParams.get("longitude")), timezone: "America/New_York",
                current_units: { temperature_2m: "°C", weather_code: "wmo code" },
                current: { time: "2026-11-23T12:00", interval: 900, temperature_2m: 11.6, weather_code: 2 },
                daily_units: { temperature_2m_max: "°C" },
                daily: {
                    time: days,
                    weather_code: repeat([2, 61, 3, 0, 0, 71, 95]),
                    temperature_2m_max: repeat([14.2, 15.4, 12, 10, 9, 2, 18]),
                    temperature_2m_min: repeat([6.1, 7.9, 5, 3, 1, -4, 10]),
                    precipitation_probability_max: repeat([10, 70, 5, 0, 0, 60, 90])
                }
            }));
        } else {
            res.statusCode = 404;
            res.end("{}");
        }
    });
    return { server, requests };
}

/** The local date `ahead` days from today, `YYYY-MM-DD`. */
function localDay(ahead: number): string {
    const d = new Date();
    d.setDate(d.getDate() + ahead);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const weekday = (ahead: number): string => new Date(`${localDay(ahead)}T12:00:00Z`).toLocaleDateString("en-US", { weekday: "long", timeZone: "UTC" });

describe("get_weather against a local Open-Meteo stand-in", () => {
    const stub = openMeteoStub();
    let base = "";
    before(async () => {
        await new Promise<void>((resolve) => stub.server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
    });
    after(() => stub.server.close());

    const make = (raw: Record<string, unknown> = {}) => Assistant.create({
        config: testConfig({ weather: { geocodingUrl: `${base}/v1/search`, forecastUrl: `${base}/v1/forecast`, ...raw } }),
        log: silentLogger(), ephemeralState: true
    });

    it("says tomorrow's forecast for a named place", async () => {
        const assistant = await make();
        try {
            const record = await assistant.handleText("what's the weather in boston tomorrow");
            assert.deepEqual(record.toolCall?.arguments, { location: "boston", when: "tomorrow" });
            assert.equal(record.reply, "Tomorrow in Boston: light rain, a high of 15 and a low of 8 degrees. 70 percent chance of rain.");
            const forecast = stub.requests.find((r) => r.pathname === "/v1/forecast")!;
            assert.equal(forecast.searchParams.get("latitude"), "42.35843");
            assert.equal(forecast.searchParams.get("temperature_unit"), "celsius");
        } finally {
            await assistant.dispose();
        }
    });

    it("takes a date out of the place it was said with, and answers for the day it resolves to", async () => {
        const assistant = await make();
        try {
            const record = await assistant.handleText("what's the weather in boston in 2 days");
            assert.deepEqual(record.toolCall?.arguments, { location: "boston", when: "in 2 days" });
            const recognized = record.stages.find((s) => s.name === "recognize")!.output as { resolved: { when: { start: string; end: string } } };
            assert.equal(recognized.resolved.when.start, `${localDay(2)}T00:00:00`, "the trace shows the day the words resolved to");
            assert.equal(record.reply, `${weekday(2)} in Boston: overcast skies, a high of 12 and a low of 5 degrees.`);
            const forecast = stub.requests.findLast((r) => r.pathname === "/v1/forecast")!;
            assert.equal(forecast.searchParams.get("forecast_days"), "16");
        } finally {
            await assistant.dispose();
        }
    });

    it("says plainly when a day is past the forecast's reach, and sums up a range of days", async () => {
        const assistant = await make();
        try {
            assert.equal((await assistant.handleText("what's the weather in boston in 3 weeks")).reply, "I can only see 16 days ahead, and in 3 weeks is 21 days away.");
            const range = await assistant.handleText("what's the weather in boston next week");
            assert.deepEqual(range.toolCall?.arguments, { location: "boston", when: "next week" });
            assert.match(range.reply, /^Next week in Boston: highs between \d+ and \d+ degrees, lows down to -?\d+, (with rain or snow on \d days?|and dry throughout)\.$/);
        } finally {
            await assistant.dispose();
        }
    });

    it("answers a repeated question from its cache", async () => {
        const assistant = await make();
        try {
            await assistant.handleText("weather in boston on friday");
            const count = stub.requests.length;
            await assistant.handleText("what is the weather like in boston");
            assert.equal(stub.requests.length, count);
        } finally {
            await assistant.dispose();
        }
    });

    it("uses the configured home when no place is said, and says the current conditions today", async () => {
        const assistant = await make({ home: { name: "Cambridge", latitude: 52.2, longitude: 0.12 }, temperatureUnit: "fahrenheit" });
        try {
            const record = await assistant.handleText("what's the weather like today");
            assert.equal(record.reply, "Right now in Cambridge it's 12 degrees with partly cloudy skies. Today: partly cloudy skies, a high of 14 and a low of 6 degrees.");
            const forecast = stub.requests.filter((r) => r.pathname === "/v1/forecast").at(-1)!;
            assert.equal(forecast.searchParams.get("latitude"), "52.2");
            assert.equal(forecast.searchParams.get("temperature_unit"), "fahrenheit");
        } finally {
            await assistant.dispose();
        }
    });

    it("asks where when no place is said and no home is configured", async () => {
        const assistant = await make();
        try {
            assert.match((await assistant.handleText("will it rain tomorrow")).reply, /^Which place\?.*weather\.home/);
        } finally {
            await assistant.dispose();
        }
    });

    it("says so when the place is unknown", async () => {
        const assistant = await make();
        try {
            assert.equal((await assistant.handleText("weather in atlantis")).reply, "I couldn't find a place called atlantis.");
        } finally {
            await assistant.dispose();
        }
    });

    it("gives a clear spoken message when the weather service is down", async () => {
        const down = http.createServer();
        await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
        const port = (down.address() as AddressInfo).port;
        await new Promise<void>((resolve) => down.close(() => resolve()));
        const assistant = await Assistant.create({
            config: testConfig({ weather: { geocodingUrl: `http://127.0.0.1:${port}/v1/search`, forecastUrl: `http://127.0.0.1:${port}/v1/forecast` } }),
            log: silentLogger(), ephemeralState: true
        });
        try {
            const record = await assistant.handleText("what's the weather in boston");
            assert.equal(record.reply, "Sorry, I can't reach the weather service right now. Please try again later.");
            assert.equal(record.result?.ok, true);
        } finally {
            await assistant.dispose();
        }
    });
});
