// @atproto/dev-env's full TestNetwork (in-memory PLC + PDS + bsky AppView + bsync + ozone) on
// 127.0.0.1, using the PostgreSQL and Redis that tests/support/pds.py started on loopback.
// Env: PDS_INSTALL_DIR, DB_POSTGRES_URL, REDIS_HOST, DB_POSTGRES_SCHEMA.
// Run with: node --import ./loopback.mjs network.mjs
// Prints `NETWORK_READY {json}` when ready. Then reads commands on stdin, one per line:
// `process` waits until the AppView has indexed everything written so far (processAll) and
// answers `PROCESSED` (or `FAILED message`) on stdout. SIGTERM or end of stdin closes it.
import path from 'node:path'
import readline from 'node:readline'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const t0 = performance.now()
const dir = path.resolve(process.env.PDS_INSTALL_DIR || process.cwd())
const req = createRequire(path.join(dir, 'package.json'))
const { TestNetwork } = await import(pathToFileURL(req.resolve('@atproto/dev-env')).href)

const network = await TestNetwork.create({
  dbPostgresUrl: process.env.DB_POSTGRES_URL,
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA, // [A-Za-z_] only
})
const info = {
  url: network.pds.url,
  port: network.pds.port,
  bskyUrl: network.bsky.url,
  plcUrl: network.plc.url,
  pid: process.pid,
  msToReady: Math.round(performance.now() - t0),
  rssMB: Math.round(process.memoryUsage().rss / 1048576),
}
console.log('NETWORK_READY ' + JSON.stringify(info))

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await network.close().catch((e) => console.error('network.close', e))
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line.trim() !== 'process') continue
  try {
    await network.processAll()
    console.log('PROCESSED')
  } catch (e) {
    console.log('FAILED ' + String(e).replace(/\s+/g, ' '))
  }
}
await stop()
