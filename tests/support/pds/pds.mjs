// The reference PDS (@atproto/pds) on 127.0.0.1, configured entirely by PDS_* variables that
// tests/support/pds.py sets (port, data directory, PLC URL, secrets).
// Run with: PDS_INSTALL_DIR=... node --import ./loopback.mjs pds.mjs
// Prints one line `PDS_READY {json}` on stdout when it accepts requests; SIGTERM stops it
// cleanly (the data directory stays, so the same PDS can be started again on it).
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const t0 = performance.now()
const dir = path.resolve(process.env.PDS_INSTALL_DIR || process.cwd())
const req = createRequire(path.join(dir, 'package.json'))
const { PDS, envToCfg, envToSecrets, readEnv } = await import(
  pathToFileURL(req.resolve('@atproto/pds')).href
)

const cfg = envToCfg(readEnv())
const pds = await PDS.create(cfg, envToSecrets(readEnv()))
await pds.start()
const info = {
  port: cfg.service.port,
  url: `http://localhost:${cfg.service.port}`,
  pid: process.pid,
  msToReady: Math.round(performance.now() - t0),
  rssMB: Math.round(process.memoryUsage().rss / 1048576),
}
console.log('PDS_READY ' + JSON.stringify(info))

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await pds.destroy().catch((e) => console.error('pds.destroy', e))
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
