// Jest's globalSetup: runs once, in the main jest process, before any test file. Plain JavaScript so
// that it loads under any Node and any flags, and can say what is wrong before anything else fails.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Where the bundle of the current source goes; ignored by git, eslint, prettier and knip. */
const OUT = join(ROOT, '.test-bundle')
const STAMP = join(OUT, '.source-hash')

/** Ends the run with one line and no stack trace: the line says all there is to say. */
function stop(message) {
  console.error(`\n${message}\n`)
  process.exit(1)
}

/** The tests need what `npm test` gives them: Node 24 (the pinned devDependency) and ESM in jest's VM. */
function checkRuntime() {
  const major = Number(process.versions.node.split('.')[0])
  if (major < 24 && !existsSync(join(ROOT, 'node_modules', 'node', 'bin', 'node'))) {
    // `npm ci --ignore-scripts` skips the install script of the `node` devDependency, which fetches Node 24.
    stop(
      `These tests need Node 24 (found ${process.version}), and node_modules has none: the install script of the 'node' devDependency did not run (npm ci --ignore-scripts skips it). Run 'npm rebuild node', then 'npm test' again.`
    )
  }
  if (major < 24) stop(`Use npm test: these tests need Node 24 (found ${process.version}).`)
  if (typeof vm.SourceTextModule !== 'function') {
    stop('Use npm test: these tests need NODE_OPTIONS=--experimental-vm-modules (jest runs them as ES modules).')
  }
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
    .sort()
}

/**
 * Everything the bundle is built from: the source tree, the dependency versions, the compiler options
 * and the bundler itself. The same inputs build the same bundle, so an unchanged hash skips the build.
 */
function sourceHash(ncc) {
  const hash = createHash('sha256')
  const inputs = [
    ...filesUnder(join(ROOT, 'src')),
    ...['package.json', 'package-lock.json', 'tsconfig.json'].map(f => join(ROOT, f)),
    ncc
  ]
  for (const file of inputs) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

/**
 * Builds src/index.ts with ncc into .test-bundle/ (the `build` script's flags, without the licence file)
 * and points the end-to-end runner at it through ACTION_BUNDLE, so `npm test` exercises the source as
 * it is now rather than the committed dist/. Jest starts its workers after this, and they inherit the
 * variable. Delete .test-bundle/ to force a rebuild.
 */
function buildBundle() {
  const require = createRequire(import.meta.url)
  const ncc = require.resolve('@vercel/ncc/dist/ncc/cli.js')
  const hash = sourceHash(ncc)
  const bundle = join(OUT, 'index.js')
  if (existsSync(bundle) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    console.log('\nTest bundle: .test-bundle/index.js is up to date with src/.')
  } else {
    const started = Date.now()
    rmSync(OUT, { recursive: true, force: true })
    const build = spawnSync(
      process.execPath,
      [ncc, 'build', 'src/index.ts', '-o', relative(ROOT, OUT), '--source-map', '--no-source-map-register', '--quiet'],
      { cwd: ROOT, encoding: 'utf8' }
    )
    if (build.status !== 0 || !existsSync(bundle)) {
      const why = build.error?.message ?? `${build.stderr}${build.stdout}`.trim()
      stop(`Could not build the test bundle (ncc build src/index.ts exited ${build.status ?? build.signal}):\n${why}`)
    }
    writeFileSync(STAMP, hash)
    console.log(
      `\nTest bundle: built .test-bundle/index.js from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`
    )
  }
  process.env.ACTION_BUNDLE = bundle
}

export default function globalSetup() {
  checkRuntime()
  buildBundle()
}
