// An in-memory did:plc directory (@did-plc/server) for the test PDS, on 127.0.0.1:PLC_PORT.
// Run with: PDS_INSTALL_DIR=... node --import ./loopback.mjs plc.mjs
// Prints one line `PLC_READY {json}` on stdout when it accepts requests. Kept in its own
// process so a test can stop and restart the PDS without losing the DIDs it registered.
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const dir = path.resolve(process.env.PDS_INSTALL_DIR || process.cwd())
const req = createRequire(path.join(dir, 'package.json'))
const mod = await import(pathToFileURL(req.resolve('@did-plc/server')).href) // CommonJS
const plcLib = mod.default ?? mod

const port = Number(process.env.PLC_PORT)
const plc = plcLib.PlcServer.create({ db: plcLib.Database.mock(), port })
await plc.start()
console.log('PLC_READY ' + JSON.stringify({ port, pid: process.pid }))

const stop = async () => {
  await plc.destroy().catch((e) => console.error('plc.destroy', e))
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
