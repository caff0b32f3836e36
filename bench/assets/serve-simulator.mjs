// Serves bench/assets/public with the platform's local simulator (Miniflare), for the 10 KiB
// static asset benchmark. Run with the simulator anchor's node and module path:
//   NODE_PATH=ANCHORS/miniflare/node_modules node serve-simulator.mjs
// Prints "READY <url>" once it answers.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(process.env.NODE_PATH + "/");
const mfmod = require("miniflare");
const { Miniflare, Log, LogLevel } = mfmod;
const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 8787);

const v4opts = {
  host: "127.0.0.1",
  port,
  log: new Log(LogLevel.WARN),
  logRequests: false,
  cf: false,
  name: "assets-bench",
  modules: true,
  script: 'export default { fetch() { return new Response("worker", { status: 404 }); } };',
  compatibilityDate: "2026-11-01",
  assets: { directory: path.join(here, "public") },
};
const opts = typeof mfmod.convertV4MiniflareOptions === "function" ? mfmod.convertV4MiniflareOptions(v4opts) : v4opts;
const mf = new Miniflare(opts);
const url = await mf.ready;
console.log(`READY ${url}`);
const stop = async () => { await mf.dispose(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
